/**
 * For the few tests that need something to have happened before a deadline
 * that the code under test starts itself (a command line's --timeout, in
 * another process), so that no event can be waited for: how long that
 * something takes on this machine is only known by trying.
 *
 * Each attempt runs with a deadline, makes every assertion the test makes,
 * and says whether the precondition held in time (the tree was up when the
 * timeout struck). Too early, the test runs again with twice the deadline,
 * until the deadline passes PATIENCE_MS; then it fails and says so. So the
 * verdict never rests on the machine's speed, and a machine pays for its
 * own pace: the first deadline is a quiet host's figure scaled by slack(),
 * instead of every run waiting out a worst case (a 3 s margin at the
 * guest's pace of ~85 was a 255 s wait in every guest run).
 */
import type { ExecutionContext } from 'ava';
import { PATIENCE_MS, slack } from './patience.js';

export async function withGrowingDeadline(
  t: ExecutionContext,
  hostMs: number,
  attempt: (deadlineMs: number) => Promise<'in time' | 'too early'>,
): Promise<void> {
  for (let deadlineMs = await slack(hostMs); ; deadlineMs *= 2) {
    // An attempt that already failed an assertion has given its verdict: no point in a longer one.
    if ((await attempt(deadlineMs)) === 'in time' || !t.passed) return;
    if (deadlineMs >= PATIENCE_MS) {
      t.fail(`the precondition never held in time, even with a ${deadlineMs} ms deadline`);
      return;
    }
    t.log(`too early with a ${deadlineMs} ms deadline: again with ${deadlineMs * 2} ms`);
  }
}
