/**
 * How long a test may wait for something that must happen (a tree coming
 * up, a tree going away, a child reporting). Such a bound only decides how
 * long a FAILING test takes to say so: a passing one moves on at the event.
 * So the bounds are generous, and scaled to the machine: the TCG guest of
 * test-vm/ runs Node 30 to 100 times slower than this host. Verdicts never
 * rest on these numbers; timing belongs in `npm run bench`.
 *
 * CORRAL_TEST_SLOWDOWN overrides the factor (for example on a slow laptop).
 */
const configured = Number(process.env.CORRAL_TEST_SLOWDOWN);

/** How many times slower than a quiet host this machine may run the suite. */
export const SLOWDOWN = Number.isFinite(configured) && configured >= 1 ? configured : process.env.CORRAL_VM ? 100 : 1;

/** `hostMs` on a quiet host, scaled to this machine. */
export function patience(hostMs: number): number {
  return hostMs * SLOWDOWN;
}

/**
 * How long the tests' groups let close() and kill() wait for a SIGKILLed
 * tree to be gone: the library's default 5 s, scaled to the machine (in the
 * TCG guest, 5 s can pass while another test's walk of a 1000-process tree
 * holds the event loop).
 */
export const KILL_TIMEOUT_MS = patience(5000);

/** The default bound on waiting for a tree to come up, settle, or go away. */
export const PATIENCE_MS = Math.min(patience(30_000), 600_000);

/**
 * Some tests must let something happen before they act, and cannot wait for
 * an event because the code under test starts the clock itself (a command
 * line's --timeout or --grace, in another process). Those give the machine
 * room in proportion to how slow it is right now: `slack(hostMs)` scales
 * `hostMs` by this machine's pace, measured once per test process as the
 * time ten `sh -c 'exec true'` take, against what they take on a quiet host.
 * A loaded host measures 1 to 3, the TCG guest 30 to 100; the margins the
 * tests give (a tree of a few processes starts in ~20 ms here, and they
 * allow 2 s) hold across that range because both sides scale together.
 */
const QUIET_HOST_MS = 15;
let pace: Promise<number> | undefined;

export function measuredPace(): Promise<number> {
  pace ??= (async () => {
    const { spawnSync } = await import('node:child_process');
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      spawnSync('sh', ['-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do sh -c "exec true"; done']);
      samples.push(performance.now() - started);
    }
    const median = samples.sort((a, b) => a - b)[1]!;
    return Math.min(200, Math.max(1, median / QUIET_HOST_MS, Number.isFinite(configured) ? configured : 1));
  })();
  return pace;
}

/** `hostMs` scaled by the measured pace of this machine (see measuredPace). */
export async function slack(hostMs: number): Promise<number> {
  return Math.round(hostMs * (await measuredPace()));
}
