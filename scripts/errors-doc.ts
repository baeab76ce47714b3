// Regenerates the table of docs/ERRORS.md from the error catalogue (test/http/errors-doc.test.ts
// fails when they drift). Run: node --import tsx scripts/errors-doc.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_CATALOGUE, type ErrorCode } from '../src/domain/errors.ts';
import { STATUS_OF } from '../src/http/problem.ts';

const path = new URL('../docs/ERRORS.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const intro = doc.slice(0, doc.indexOf('| code |'));
const rows = (Object.entries(ERROR_CATALOGUE) as [ErrorCode, string][]).map(
  ([code, meaning]) => `| \`${code}\` | ${STATUS_OF[code]} | ${meaning.replace(/\|/g, '\\|')} |`,
);
writeFileSync(path, `${intro}| code | HTTP | meaning |\n|---|---|---|\n${rows.join('\n')}\n`);
