/**
 * Hand-made material for the guard's tests: cgroup directories and process
 * groups made here, without ProcessGroup, so the guard is tested on its own;
 * and a guard process driven line by line.
 */
import type { ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { locateHierarchy } from '../../src/mechanisms/cgroup/hierarchy.js';
import { startGuardProcess } from '../../src/guard/guard-process.js';
import { syncLine } from '../../src/guard/protocol.js';
import { readProcStatSync, startTimeOf } from '../../src/proc/stat.js';
import { assertNoSurvivors, killTagged, waitUntilGone, type Tag } from '../helpers/tagged-processes.js';
import { PATIENCE_MS } from '../helpers/patience.js';
import { lookUntil } from '../helpers/look-until.js';
import { destroyCgroupDir } from '../cgroup/cgroup-kit.js';

let counter = 0;

/** This process's own cgroup directory, or undefined (the cgroup tests then skip). */
export function ownCgroupDir(): string | undefined {
  const { ownCgroupPath } = locateHierarchy();
  return ownCgroupPath && existsSync(join(ownCgroupPath, 'cgroup.procs')) ? ownCgroupPath : undefined;
}

export function populated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * An empty cgroup under `parent` with a name no sweep would take for
 * corral's. Teardown kills what is left in it and removes it.
 */
export function makeCgroup(
  t: ExecutionContext,
  parent: string,
  name = `guardtest-${process.pid}-${++counter}`,
): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  t.teardown(async () => destroyCgroupDir(dir));
  return dir;
}

/** A tagged `sh -c script` that first moves itself into `dir`. */
export function startTreeInCgroup(dir: string, tag: Tag, script: string): ChildProcess {
  return spawn('sh', ['-c', `echo $$ > '${dir}/cgroup.procs' && exec sh -c "$0"`, script], {
    env: tag.env,
    stdio: 'ignore',
  });
}

/** A tagged `sh -c script` leading a process group (and session) of its own; with its leader's start time. */
export function startTreeInProcessGroup(
  tag: Tag,
  script: string,
): { child: ChildProcess; pgid: number; leaderStartTime: number } {
  const child = spawn('sh', ['-c', script], { env: tag.env, stdio: 'ignore', detached: true });
  const pgid = child.pid!;
  return { child, pgid, leaderStartTime: startTimeOf(pgid)! };
}

/** A guard process driven by hand: raw protocol lines, a sync to know they were read, EOF. */
export interface DrivenGuard {
  pid: number;
  send(lines: string): void;
  /** Resolves once the guard has read everything sent so far. */
  sync(): Promise<void>;
  /** Close the pipe as a dying supervisor would. */
  end(): void;
  exited: Promise<void>;
}

export function driveGuard(t: ExecutionContext, env: Record<string, string> = {}): DrivenGuard {
  const started = startGuardProcess({ onGone: () => {} }, { stdout: 'pipe', env });
  const { child } = started;
  // The library unrefs its guard; a test that awaits this one must keep Node alive meanwhile.
  child.ref();
  (child.stdout as import('node:net').Socket).ref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  t.teardown(async () => {
    child.stdin?.end();
    await exited;
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting = new Map<string, () => void>();
  lines.on('line', (line) => waiting.get(line)?.());
  let syncs = 0;
  return {
    pid: child.pid!,
    send: (text) => started.send(text),
    sync() {
      const n = ++syncs;
      return new Promise((resolve) => {
        waiting.set(`S ${n}`, resolve);
        started.send(syncLine(n));
      });
    },
    end: () => child.stdin!.end(),
    exited,
  };
}

/** A guard told `lines` whose supervisor then dies (the pipe closes, no goodbye); resolves once the guard has exited. */
export async function guardAnswersDeath(
  t: ExecutionContext,
  lines: string,
  env: Record<string, string> = {},
): Promise<void> {
  const guard = driveGuard(t, env);
  guard.send(lines);
  guard.end();
  await guard.exited;
}

/** Waits (generously) until nothing bearing the tag is alive, and asserts so. */
export async function assertAllGone(t: ExecutionContext, tag: Tag): Promise<void> {
  t.deepEqual(await waitUntilGone(tag.tag, PATIENCE_MS), [], 'every process of the test is gone');
  assertNoSurvivors(t, tag);
}

/** Ends, by pid, what a test deliberately left running, then checks that nothing bearing its tag survives. */
export async function endLeftRunning(t: ExecutionContext, tag: Tag): Promise<void> {
  killTagged(tag.tag);
  await waitUntilGone(tag.tag, PATIENCE_MS);
  assertNoSurvivors(t, tag);
}

/** Waits up to `ms` until none of `paths` exists; returns those still there. */
export async function waitUntilRemoved(paths: string[], ms: number): Promise<string[]> {
  return (
    await lookUntil(
      () => paths.filter((path) => existsSync(path)),
      (left) => left.length === 0,
      { ms },
    )
  ).seen;
}

/** Waits up to `ms` until `pid` has died (gone, or a zombie nobody reaped yet). */
export async function waitUntilDead(pid: number, ms: number): Promise<boolean> {
  const dead = () => [undefined, 'Z', 'X'].includes(readProcStatSync(pid)?.state);
  return (await lookUntil(dead, (isDead) => isDead, { ms })).met;
}
