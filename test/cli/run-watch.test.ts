/**
 * `corral run --watch` end to end, through a real corral process, on both
 * mechanisms: a dev server that holds a TCP port, keeps a plain child and
 * daemonizes a helper that holds a second port. After each of three changes
 * it answers with the new version, with no EADDRINUSE anywhere and never
 * more than one helper alive; Ctrl+C leaves nothing. The same as uid 65534
 * (the fallback). Every wait is for an
 * event: a line the server prints once it and its helper listen.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { NOBODY } from '../cgroup/cgroup-kit.js';
import { asAnotherUser } from '../helpers/as-another-user.js';
import { REPO } from '../helpers/node-script.js';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, findTagged, tagFor } from '../helpers/tagged-processes.js';
import { CORRAL_MAIN, startCorral } from './corral-cli.js';
import { freePorts, HELPER_MARK, httpGet, serverDir } from './watch-server.js';

const cliTest = test.serial;

/** The lines a stream carries, and a wait for the next one that matches. */
function lines(stream: NodeJS.ReadableStream) {
  const seen: string[] = [];
  let cursor = 0;
  let wake: (() => void) | undefined;
  let buffer = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffer += String(chunk);
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    seen.push(...parts);
    wake?.();
  });
  return {
    seen,
    /** The next line (after those already taken) matching `pattern`; rejects after PATIENCE_MS. */
    async next(pattern: RegExp): Promise<string> {
      const deadline = Date.now() + PATIENCE_MS;
      for (;;) {
        while (cursor < seen.length) {
          const line = seen[cursor++]!;
          if (pattern.test(line)) return line;
        }
        if (Date.now() > deadline)
          throw new Error(`no line matching ${pattern} within ${PATIENCE_MS} ms; seen: ${seen.join(' | ')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

function helpersAlive(tag: string): number[] {
  return findTagged(tag).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(HELPER_MARK);
    } catch {
      return false;
    }
  });
}

/** How corral is started: by this test's user, or as another one (ChildProcess, and the outcome once it closes). */
interface Starter {
  start(
    args: string[],
    env: NodeJS.ProcessEnv,
  ): { child: ChildProcess; done: Promise<{ status: number | null; stderr: string }> };
  /** The Node that user can run (this one may sit in root's 0700 home). */
  node: string;
}

async function watchScenario(
  t: ExecutionContext,
  corralArgs: string[],
  start: Starter,
): Promise<{ status: number | null; stderr: string }> {
  const tag = tagFor(t);
  const server = serverDir(t);
  const [serverPort, helperPort] = await freePorts(2);
  const env = { ...tag.env, WATCH_DIR: server.dir, SERVER_PORT: String(serverPort), HELPER_PORT: String(helperPort) };
  const running = start.start(['run', ...corralArgs, '--watch', server.src, '--', start.node, server.server], env);
  const out = lines(running.child.stdout!);
  try {
    for (let version = 1; version <= 4; version++) {
      if (version > 1) server.setVersion(version);
      // A change seen twice restarts twice: then the answer waits for the later ready line.
      let answer = '';
      for (let attempt = 0; attempt < 3 && answer !== String(version); attempt++) {
        const ready = await out.next(new RegExp(`^ready ${version} `));
        t.is(ready, `ready ${version} helper-listening`, 'the helper found its port free');
        answer = await httpGet(serverPort!);
      }
      t.is(answer, String(version), `version ${version} answers`);
      // At most one: a second event of the same change may be restarting it right now (its helper then gone, the next not yet up).
      t.true(helpersAlive(tag.tag).length <= 1, 'at most one helper alive');
    }
    t.is(server.log(), '', 'no EADDRINUSE');
  } finally {
    // A terminal's Ctrl+C (corral may be gone already if something failed).
    try {
      process.kill(-running.child.pid!, 'SIGINT');
    } catch {
      t.log(`corral had already exited: ${(await running.done).stderr}`);
    }
  }
  const outcome = await running.done;
  t.is(outcome.status, 130, outcome.stderr);
  assertNoSurvivors(t, tag);
  return outcome;
}

const asThisUser: Starter = {
  start: (args, env) => startCorral(args, { tag: '', env }, { ownProcessGroup: true }),
  node: process.execPath,
};

for (const mechanism of ['cgroup', 'pgroup'] as const) {
  cliTest(
    `${mechanism}: --watch restarts a port-holding server with a child and a daemonized helper three times, never beside its predecessor; Ctrl+C leaves nothing`,
    async (t) => {
      await watchScenario(t, ['--mechanism', mechanism], asThisUser);
    },
  );
}

/**
 * As uid 65534, without a writable cgroup ('auto' falls back), through the
 * view of the checkout that asAnotherUser() makes; where the test itself is
 * not root it cannot drop to that user, and runs the fallback as itself.
 */
cliTest('as a user without a writable cgroup: --watch restarts never overlap, and Ctrl+C leaves nothing', async (t) => {
  if (process.getuid?.() !== 0) {
    await watchScenario(t, ['--mechanism', 'pgroup'], asThisUser);
    return;
  }
  const asNobody: Starter = {
    // Stands for the view's node in the command line: known once the view is made.
    node: '@VIEW_NODE@',
    start(args, env) {
      const drop = `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups`;
      const view = asAnotherUser(t, {
        drop,
        loader: [],
        relative: relative(REPO, CORRAL_MAIN),
        args: [...args.slice(0, 1), '--verbose', ...args.slice(1)],
      });
      const viewArgs = view.args.map((arg) => (arg === '@VIEW_NODE@' ? view.node : arg));
      const child = spawn(view.file, viewArgs, {
        cwd: view.cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      return { child, done: new Promise((resolve) => child.once('close', (status) => resolve({ status, stderr }))) };
    },
  };
  const outcome = await watchScenario(t, [], asNobody);
  t.regex(outcome.stderr, /corral: pgroup \(no cgroup: /, "'auto' fell back and said why");
});

cliTest(
  'pgroup: a command that exits on its own waits for the next change, which starts it again; Ctrl+C while waiting exits 130',
  async (t) => {
    const tag = tagFor(t);
    const server = serverDir(t);
    const running = startCorral(
      [
        'run',
        '--mechanism',
        'pgroup',
        '--verbose',
        '--watch',
        server.src,
        '--',
        'sh',
        '-c',
        `echo run $(cat '${server.src}/version.txt'); exit 3`,
      ],
      tag,
      { ownProcessGroup: true },
    );
    const out = lines(running.child.stdout!);
    const err = lines(running.child.stderr!);
    t.is(await out.next(/^run /), 'run 1');
    t.is(await err.next(/ended|waiting/), 'corral: run 1 ended: exit 3');
    await err.next(/^corral: waiting for a change$/);
    server.setVersion(2);
    t.is(await out.next(/^run /), 'run 2');
    await err.next(/^corral: waiting for a change$/);
    process.kill(-running.child.pid!, 'SIGINT');
    const outcome = await running.done;
    t.is(outcome.status, 130, outcome.stderr);
    t.regex(outcome.stderr, /, [23] run\(s\)\n$/);
    assertNoSurvivors(t, tag);
  },
);
