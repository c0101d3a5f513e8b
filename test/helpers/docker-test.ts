/**
 * Tests that run in the test image's Docker container: they run when
 * CORRAL_DOCKER_IMAGE names the image (.ci/run sets it); with
 * CORRAL_EXPECT_DOCKER=1 a missing image or daemon is a failure, not a skip.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';

export const DOCKER_IMAGE = process.env.CORRAL_DOCKER_IMAGE ?? '';
const expected = process.env.CORRAL_EXPECT_DOCKER === '1';

function whyNot(): string | undefined {
  if (DOCKER_IMAGE === '')
    return 'CORRAL_DOCKER_IMAGE is not set (.ci/run sets it: test-container/start-docker.sh, then build-image.sh)';
  try {
    execFileSync('docker', ['image', 'inspect', DOCKER_IMAGE], { stdio: 'ignore' });
  } catch {
    return `no Docker daemon answers, or it has no image ${DOCKER_IMAGE}`;
  }
  return undefined;
}
const skipReason = whyNot();

/** A serial test that needs the image: run, failed (expected but missing) or skipped with the reason. */
export const dockerTest = (title: string, body: (t: ExecutionContext) => Promise<void>) =>
  skipReason === undefined
    ? test.serial(title, body)
    : expected
      ? test.serial(title, (t) => t.fail(`CORRAL_EXPECT_DOCKER=1, but ${skipReason}`))
      : test.skip(`${title} (skipped: ${skipReason})`, body);
