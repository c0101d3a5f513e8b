/**
 * The pause between two looks in a test's wait loop. A look at /proc (every
 * process's environment, say) takes about a millisecond on this host and 20
 * to 40 ms in the TCG guest of test-vm/, where a fixed 5 or 10 ms pause had
 * each waiting test spend most of a CPU looking, and so slowed down the very
 * tree it waited for, and every test beside it. So the pause is at least
 * twice what the look took: a waiting test uses at most a third of a CPU,
 * and sees the event it waits for at most a few looks late. Only the pace
 * of a passing test changes: verdicts stay on events and deadlines.
 */

/** Pause after a look that began at `lookStarted` (performance.now()). */
export function pauseAfter(lookStarted: number, minimumMs = 10): Promise<void> {
  const looked = performance.now() - lookStarted;
  return new Promise((resolve) => setTimeout(resolve, Math.max(minimumMs, 2 * looked)));
}
