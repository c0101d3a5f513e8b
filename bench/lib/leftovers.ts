/**
 * Everything the benchmark starts carries a tag in its environment (the same
 * variable the tests use, so their leak hooks recognise it), and every
 * cgroup directory it makes is noted here. cleanUpEverything() ends tagged
 * survivors by pid and removes the directories; it runs after each trial,
 * and on exit or Ctrl-C, so even a failed run leaves the machine clean.
 */
import { rmdirSync } from 'node:fs';
import { findTagged, killTagged, TAG_VARIABLE } from '../../test/helpers/tagged-processes.js';

const tags = new Set<string>();
const directories = new Set<string>();
let counter = 0;

export interface BenchTag {
  tag: string;
  env: NodeJS.ProcessEnv;
}

export function newTag(): BenchTag {
  const tag = `corral-bench-${process.pid}-${++counter}`;
  tags.add(tag);
  return { tag, env: { ...process.env, [TAG_VARIABLE]: tag } };
}

export function noteDirectory(path: string): void {
  directories.add(path);
}

export function forgetDirectory(path: string): void {
  directories.delete(path);
}

/** SIGKILL what still bears `tag` (by pid), waiting (bounded) until it is gone; returns how many were found. */
export async function killTaggedAndWait(tag: string, ms = 5000): Promise<number> {
  const found = killTagged(tag).length;
  const deadline = Date.now() + ms;
  while (findTagged(tag).length > 0 && Date.now() < deadline) {
    killTagged(tag);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return found;
}

function removeDirectory(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Remove a cgroup directory, waiting (bounded) for its last members to be reaped. */
export async function removeDirectoryWhenEmpty(path: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!removeDirectory(path)) {
    if (Date.now() > deadline) throw new Error(`could not remove ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  directories.delete(path);
}

export async function cleanUpEverything(): Promise<void> {
  for (const tag of tags) await killTaggedAndWait(tag);
  tags.clear();
  for (const path of directories) await removeDirectoryWhenEmpty(path).catch(() => undefined);
}

/** How long the exit-time cleanup may block, waiting for killed members to leave their directories. */
const EXIT_CLEANUP_MS = 1000;

/** Synchronous last resort for process exit, where no promise settles: it blocks (bounded) instead. */
export function cleanUpSync(): void {
  for (const tag of tags) killTagged(tag);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + EXIT_CLEANUP_MS;
  for (const path of directories) {
    while (!removeDirectory(path) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 5);
  }
}
