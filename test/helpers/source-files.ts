/**
 * The text of every module of src/, keyed by its path relative to src/ with
 * `/` separators: what the tests that read the code itself (the layers, where
 * errors are built) check, read once and the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { REPO } from './node-script.js';

export function sourceFiles(): Map<string, string> {
  const src = join(REPO, 'src');
  const files = new Map<string, string>();
  for (const name of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (name.endsWith('.ts')) files.set(name.split(sep).join('/'), readFileSync(join(src, name), 'utf8'));
  }
  return files;
}
