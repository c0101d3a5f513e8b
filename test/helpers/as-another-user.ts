/**
 * A root test that runs one of the repo's Node scripts as another user
 * (nobody, or the guest's vagrant). That user may reach neither the
 * checkout nor this Node:
 * - CI clones under a directory of its own, and the guest copies the
 *   checkout under /root (mode 0700);
 * - the Node lines .ci/install-node installs sit in root's cache
 *   (~/.cache/corral-node, under the same 0700 home), so the other user's
 *   exec of `node`, and every Node the script starts itself
 *   (process.execPath), fails with EACCES.
 * So both are bind-mounted at a world-readable view, inside a private mount
 * namespace (unshare -m: the host's mounts are untouched, and the binds end
 * with the process). The script runs with the view's node and sees the
 * view's node as its process.execPath. The view's empty mount points are
 * removed in teardown.
 */
import type { ExecutionContext } from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './node-script.js';

export interface ViewCommand {
  file: string;
  args: string[];
  cwd: string;
  /** The view's node, for commands the script starts that must run Node as that user too. */
  node: string;
}

export interface AsAnotherUser {
  /** The command that drops to the user and execs what follows (`setpriv ...`, `runuser -u vagrant --`). */
  drop: string;
  /** Node's loader arguments and the script's path relative to REPO (nodeArgsInRepo). */
  loader: string[];
  relative: string;
  /** Arguments for the script. */
  args?: string[];
  /** A cgroup directory the shell moves itself into, as root, before it drops. */
  joinDir?: string;
}

export function asAnotherUser(t: ExecutionContext, how: AsAnotherUser): ViewCommand {
  const view = mkdtempSync(join(tmpdir(), 'corral-repo-view-'));
  t.teardown(() => rmSync(view, { recursive: true, force: true }));
  const repo = join(view, 'repo');
  const node = join(view, 'node');
  mkdirSync(repo);
  writeFileSync(node, '');
  for (const path of [view, repo, node]) chmodSync(path, 0o755);
  const before = how.joinDir === undefined ? '' : 'echo $$ > "$join/cgroup.procs" && ';
  const script =
    'checkout=$0 repo=$1 source_node=$2 node=$3 join=$4 file=$5; shift 5; ' +
    'mount --bind "$checkout" "$repo" && mount --bind "$source_node" "$node" && cd "$repo" && ' +
    `${before}exec ${how.drop} "$node" ${how.loader.join(' ')} "$repo/$file" "$@"`;
  return {
    file: 'unshare',
    args: [
      '-m',
      'sh',
      '-c',
      script,
      REPO,
      repo,
      process.execPath,
      node,
      how.joinDir ?? '',
      how.relative,
      ...(how.args ?? []),
    ],
    cwd: REPO,
    node,
  };
}
