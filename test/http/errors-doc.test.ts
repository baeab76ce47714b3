import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CATALOGUE } from '../../src/domain/errors.ts';
import { STATUS_OF } from '../../src/http/problem.ts';

it('docs/ERRORS.md documents every error code with its HTTP status', () => {
  const doc = readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
  for (const code of Object.keys(ERROR_CATALOGUE) as (keyof typeof ERROR_CATALOGUE)[]) {
    assert.match(
      doc,
      new RegExp(`\\| \`${code}\` \\| ${STATUS_OF[code]} \\|`),
      `${code} missing or with another status in docs/ERRORS.md`,
    );
  }
});
