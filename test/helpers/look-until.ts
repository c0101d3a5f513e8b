/**
 * The one wait loop of the tests: look, and until what was seen satisfies
 * the test or the deadline passes, pause and look again.
 *
 * The pause is at least four times what the look took. A look at /proc
 * (every process's environment, say) takes about a millisecond on this host
 * and 20 to 40 ms in the TCG guest of test-vm/, where a fixed 5 or 10 ms
 * pause had each waiting test spend most of a CPU looking, and so slowed
 * down the very tree it waited for, and every test beside it. Several test
 * files wait at once on the guest's two CPUs, so a waiting test uses at
 * most a fifth of a CPU (a third, with the pause at twice the look, was
 * still a real share), and sees the event it waits for at most five looks'
 * time late. Only the pace of a passing test changes: verdicts stay on
 * events, and deadlines only bound how long a failing test takes to say so.
 */

export interface Looked<T> {
  /** What the last look saw. */
  seen: T;
  /** It satisfied the test (false: the deadline passed first). */
  met: boolean;
}

export interface LookOptions {
  /** How long to keep looking, in milliseconds (a look begun before the deadline still counts). */
  ms: number;
  /** The shortest pause between two looks. */
  minimumPauseMs?: number;
}

/** How many times as long as the look the pause after it lasts, at least. */
const PAUSE_PER_LOOK = 4;

/** Looks until `satisfied(seen)`, or until `ms` have passed; says what it saw last. */
export async function lookUntil<T>(
  look: () => T | Promise<T>,
  satisfied: (seen: T) => boolean,
  { ms, minimumPauseMs = 10 }: LookOptions,
): Promise<Looked<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const started = performance.now();
    const seen = await look();
    if (satisfied(seen)) return { seen, met: true };
    if (Date.now() > deadline) return { seen, met: false };
    const took = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, Math.max(minimumPauseMs, PAUSE_PER_LOOK * took)));
  }
}
