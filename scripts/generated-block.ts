/**
 * Generated blocks in docs/: `npm run bench` (docs/performance.md) and
 * `npm run stress` (docs/reliability.md) rewrite the text between
 * `<!-- NAME:begin -->` and `<!-- NAME:end -->` from their own figures, so
 * no number in the docs is typed by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export const PERFORMANCE_DOC = new URL('../docs/performance.md', import.meta.url);
export const RELIABILITY_DOC = new URL('../docs/reliability.md', import.meta.url);

export function replaceGeneratedBlock(path: string | URL, name: string, content: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${String(path)} has no ${begin} ... ${end} block`);
  writeFileSync(path, `${text.slice(0, from + begin.length)}\n${content.trimEnd()}\n${text.slice(to)}`);
}
