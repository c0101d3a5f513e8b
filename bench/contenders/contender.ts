/**
 * One way of stopping a process tree, as the benchmark sees it. Every
 * contender starts the same `sh -c` script with the same tagged environment
 * and is judged by the same independent check (bench/lib/tree-identity.ts),
 * whatever it itself believes.
 */
import type { ChildProcess } from 'node:child_process';

export interface Tree {
  /** SIGKILL the whole tree; resolves when the contender considers the job done. */
  hardKill(): Promise<void>;
  /** SIGTERM the whole tree, wait for it, SIGKILL what is left after the grace. */
  shutdown(): Promise<void>;
  /** Let go of what start() took (a cgroup directory, a group). Only after the tree is gone. */
  dispose(): Promise<void>;
}

export interface ChildrenTree extends Tree {
  /** The members, each a direct child of this process, so their 'exit' events time their deaths. */
  children: ChildProcess[];
}

export interface Contender {
  /** Stable key in results.json. */
  readonly id: string;
  /** What the table and the chart call it. */
  readonly label: string;
  /** Run `script` with `sh -c` as a tree this contender can tear down. */
  start(script: string, env: NodeJS.ProcessEnv): Promise<Tree>;
  /** Start `count` long sleeps as direct children, contained together (for drain-detection latency). */
  startChildren?(count: number, env: NodeJS.ProcessEnv): Promise<ChildrenTree>;
  /** Called after a run was stopped at the cap: drop anything still working on it. */
  reset?(): Promise<void>;
  /** Called once at the end of the benchmark. */
  close?(): Promise<void>;
}

/** The graceful window every contender gets before it escalates to SIGKILL. */
export const GRACE_MS = 2000;
