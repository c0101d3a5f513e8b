/**
 * Every process a test starts carries CORRAL_TEST_TAG=<unique tag> in its
 * environment, inherited by all its descendants, `setsid` and double-forked
 * ones included. That is how a test proves nothing it started survived, and
 * how its teardown ends leftovers: by pid, only processes bearing its tag.
 */
import type { ExecutionContext } from 'ava';
import { readdirSync, readFileSync } from 'node:fs';

let counter = 0;

export const TAG_VARIABLE = 'CORRAL_TEST_TAG';

export interface Tag {
  readonly tag: string;
  /** process.env plus the tag: pass as the `env` of every spawn. */
  readonly env: NodeJS.ProcessEnv;
}

/** A fresh tag; the test's teardown kills whatever still bears it and fails the test if anything did. */
export function tagFor(t: ExecutionContext): Tag {
  const tag = `corral-test-${process.pid}-${++counter}-${Date.now()}`;
  t.teardown(async () => {
    const left = await waitUntilGone(tag, 2000);
    if (left.length > 0) {
      killTagged(tag);
      // A teardown cannot fail the test in ava 7 once it passed; say it loudly
      // instead, and the explicit assertNoSurvivors() in each test is what fails.
      console.error(`LEAK: ${left.length} process(es) tagged ${tag} were still alive after the test: ${left.join(', ')}`);
    }
  });
  return { tag, env: { ...process.env, [TAG_VARIABLE]: tag } };
}

/** Live (non-zombie) processes whose environment carries `tag`. */
export function findTagged(tag: string): number[] {
  const needle = `${TAG_VARIABLE}=${tag}\0`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').includes(needle)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      found.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** SIGKILL (then SIGCONT, for stopped ones: harmless) every process bearing `tag`, by pid. */
export function killTagged(tag: string): number[] {
  const pids = findTagged(tag);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

/** Waits up to `ms` for every process bearing `tag` to be gone; returns those still alive. */
export async function waitUntilGone(tag: string, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = findTagged(tag);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    left = findTagged(tag);
  }
  return left;
}

/** Asserts (now, no waiting) that nothing bearing the tag is alive. */
export function assertNoSurvivors(t: ExecutionContext, { tag }: Tag, message = 'no process of the test survives'): void {
  const left = findTagged(tag);
  t.deepEqual(left, [], message);
}

/** Waits until at least `count` processes bear the tag (the tree is fully up), or throws after `ms`. */
export async function waitForTagged(tag: string, count: number, ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = findTagged(tag);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`only ${found.length} of ${count} tagged processes appeared within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
