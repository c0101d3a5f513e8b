/**
 * `corral run --watch` end to end, through a real corral process, on both
 * mechanisms: a dev server that holds a TCP port, keeps a plain child and
 * daemonizes a helper that holds a second port. After each of three changes
 * it answers with the new version, with no EADDRINUSE anywhere and never
 * more than one helper alive; Ctrl+C leaves nothing. Every wait is for an
 * event: a line the server prints once it and its helper listen.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { PATIENCE_MS } from '../helpers/patience.js';
import { assertNoSurvivors, findTagged, tagFor } from '../helpers/tagged-processes.js';
import { startCorral } from './corral-cli.js';
import { freePorts, HELPER_MARK, httpGet, serverDir } from './watch-server.js';

const cliTest = test.serial;

/** The lines a process prints, and a wait for the next one that matches. */
function lines(child: ChildProcess) {
  const seen: string[] = [];
  let cursor = 0;
  let wake: (() => void) | undefined;
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer | string) => {
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
        if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${PATIENCE_MS} ms; seen: ${seen.join(' | ')}`);
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

for (const mechanism of ['cgroup', 'pgroup'] as const) {
  cliTest(`${mechanism}: --watch restarts a port-holding server with a child and a daemonized helper three times, never beside its predecessor; Ctrl+C leaves nothing`, async (t) => {
    const tag = tagFor(t);
    const server = serverDir(t);
    const [serverPort, helperPort] = await freePorts(2);
    const env = { ...tag.env, WATCH_DIR: server.dir, SERVER_PORT: String(serverPort), HELPER_PORT: String(helperPort) };
    const running = startCorral(['run', '--mechanism', mechanism, '--watch', server.src, '--', process.execPath, server.server], { tag: tag.tag, env }, { ownProcessGroup: true });
    const out = lines(running.child);
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
        t.is(helpersAlive(tag.tag).length, 1, 'one helper alive');
      }
      t.is(server.log(), '', 'no EADDRINUSE');
    } finally {
      process.kill(-running.child.pid!, 'SIGINT');
    }
    const outcome = await running.done;
    t.is(outcome.status, 130, outcome.stderr);
    assertNoSurvivors(t, tag);
  });
}
