// Every message exists in both languages: the same keys in every namespace, no empty
// string, the same {{placeholders}}, and one translated message per error code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CATALOGUE } from '../../src/domain/errors.ts';
import { LANGUAGES, loadResources, translator } from '../../src/i18n/i18n.ts';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();
// i18next plural suffixes differ by language (fr and en both use _one/_other).
const resources = loadResources();

describe('translations', () => {
  it('has the same namespaces, keys and placeholders in French and English, none empty', () => {
    const [fr, en] = LANGUAGES.map((l) => resources[l] as Record<string, Tree>);
    assert.deepEqual(Object.keys(en!).sort(), Object.keys(fr!).sort(), 'namespaces');
    for (const namespace of Object.keys(fr!)) {
      const frLeaves = leaves(fr![namespace]!);
      const enLeaves = leaves(en![namespace]!);
      assert.deepEqual([...enLeaves.keys()].sort(), [...frLeaves.keys()].sort(), `keys of ${namespace}`);
      for (const [key, text] of frLeaves) {
        assert.notEqual(text.trim(), '', `fr ${namespace}:${key} is empty`);
        assert.notEqual(enLeaves.get(key)!.trim(), '', `en ${namespace}:${key} is empty`);
        assert.deepEqual(placeholders(enLeaves.get(key)!), placeholders(text), `placeholders of ${namespace}:${key}`);
      }
    }
  });

  it('explains every error code in both languages', () => {
    for (const language of LANGUAGES) {
      const t = translator(language, 'errors');
      for (const code of Object.keys(ERROR_CATALOGUE)) {
        const text = t(code);
        assert.notEqual(text, code, `${language}: no message for ${code}`);
      }
    }
    assert.notEqual(translator('fr', 'errors')('SLOT_TAKEN'), translator('en', 'errors')('SLOT_TAKEN'));
  });
});

/** Counts printed after a colon ("Groups: 3") or as an invariable unit ("3 min") need no plural forms. */
const INVARIABLE_COUNTS = /:\s*\{\{count\}\}\.?$|\{\{count\}\} (min|h|j|d)$/;

describe('plurals', () => {
  it('gives every counted message (a {{count}} before a noun) its plural forms, in both languages', () => {
    for (const language of LANGUAGES) {
      for (const [namespace, tree] of Object.entries(resources[language] as Record<string, Tree>)) {
        for (const [key, text] of leaves(tree)) {
          if (!text.includes('{{count}}') || /_(zero|one|other)$/.test(key) || INVARIABLE_COUNTS.test(text)) continue;
          if (key === 'steps.state') continue; // "Step 2 of 3": a position, not an amount of things
          assert.fail(`${language} ${namespace}:${key} counts without plural forms: "${text}"`);
        }
      }
    }
  });

  it('says "1 demande", "2 demandes", and "none" for zero where a sentence needs it', () => {
    const fr = translator('fr', 'request');
    const en = translator('en', 'request');
    assert.equal(fr('view.classSize', { count: 1 }), '1 demande');
    assert.equal(fr('view.classSize', { count: 2 }), '2 demandes');
    assert.equal(en('view.classSize', { count: 1 }), '1 request');
    assert.equal(en('view.classSize', { count: 2 }), '2 requests');
    assert.match(fr('view.earlier', { count: 0 }), /^aucune demande/);
    assert.match(fr('view.earlier', { count: 1 }), /^1 demande déposée un jour précédent passe/);
    assert.match(en('view.earlier', { count: 3 }), /^3 requests filed on earlier days come/);
    assert.match(en('view.sameBatch', { count: 1 }), /^Yours and 1 other filed/);
    assert.equal(translator('en', 'agent-agenda')('agenda.count', { count: 1 }), '1 appointment');
    assert.equal(
      translator('en', 'agent-config')('closureConfirm.confirm', { count: 1 }),
      'Close and cancel 1 appointment',
    );
    assert.match(
      translator('fr', 'agent-review')('duplicates.reason.email', { email: 'a@b.fr', count: 2 }),
      /2 dossiers$/,
    );
  });
});
