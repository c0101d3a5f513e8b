/**
 * One timed teardown: from the call until the tree is verifiably gone. The
 * clock stops at the later of "the call returned" and "the independent
 * check passed", so a contender that returns before its tree is dead pays
 * for the difference, and one that waits for the drain itself pays nothing
 * for the check. A call that does not finish within the cap is stopped
 * there and marked, never left out.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { allGone, type Member } from './tree-identity.js';

export interface Timing {
  ms: number;
  /** The call (or the check) did not finish within the cap; `ms` is the cap. */
  capped: boolean;
  /** The call failed; the message, for the report. */
  error?: string;
}

type Outcome = { kind: 'done' } | { kind: 'capped' } | { kind: 'failed'; error: unknown };

async function withinCap(call: () => Promise<void>, capMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'capped' }), capMs);
  });
  const run = call().then(
    (): Outcome => ({ kind: 'done' }),
    (error: unknown): Outcome => ({ kind: 'failed', error }),
  );
  try {
    return await Promise.race([run, cap]);
  } finally {
    clearTimeout(timer);
  }
}

export async function timeTeardown(
  call: () => Promise<void>,
  members: readonly Member[],
  capMs: number,
): Promise<Timing> {
  const started = performance.now();
  const outcome = await withinCap(call, capMs);
  let ended = performance.now();
  if (outcome.kind === 'capped') return { ms: capMs, capped: true };
  if (outcome.kind === 'failed') return { ms: Number.NaN, capped: false, error: String(outcome.error) };
  while (!allGone(members)) {
    if (performance.now() - started > capMs) return { ms: capMs, capped: true };
    await yieldToLoop();
    ended = performance.now();
  }
  return { ms: ended - started, capped: false };
}
