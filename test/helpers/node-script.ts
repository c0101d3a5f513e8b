/**
 * The suite runs in one of two forms:
 * - from TypeScript through tsx (`npm test`, `npx ava`): no build step;
 * - compiled to JavaScript (`npm run build:tests`, then ava with
 *   CORRAL_TEST_COMPILED=1): what the TCG guest of test-vm/ runs, because
 *   there every tsx start-up costs seconds (measured: `node -e 0` 0.4 s,
 *   `node --import tsx -e 0` 2.7 s).
 * A test that starts one of the repo's scripts as a child Node process asks
 * here for the command line, so the child runs in the same form as the test.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this module (and so the whole suite) was compiled to JavaScript. */
export const COMPILED = import.meta.url.endsWith('.js');

/** The checkout's root (where package-lock.json and node_modules are), in either form. */
export const REPO = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package-lock.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package-lock.json above ${from}`);
  }
}

/**
 * The file a script of the repo is in, given as the `.ts` sibling of the
 * caller (`new URL('./x.ts', import.meta.url)`): the `.js` in compiled form.
 */
export function scriptPath(url: URL): string {
  const path = fileURLToPath(url);
  return COMPILED ? path.replace(/\.ts$/, '.js') : path;
}

/** Node's arguments that run the script at `url` (see scriptPath), followed by `args`. */
export function nodeArgs(url: URL, ...args: string[]): string[] {
  return COMPILED ? [scriptPath(url), ...args] : ['--import', 'tsx', scriptPath(url), ...args];
}

/** The same, as a path relative to REPO, for commands that run elsewhere (a bind-mounted view of the checkout). */
export function nodeArgsInRepo(url: URL): { loader: string[]; relative: string } {
  return { loader: COMPILED ? [] : ['--import', 'tsx'], relative: scriptPath(url).slice(REPO.length + 1) };
}
