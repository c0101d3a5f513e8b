/**
 * The container tests' registration: a test runs when CORRAL_DOCKER_IMAGE
 * names an image a Docker daemon has (.ci/run sets it:
 * test-container/start-docker.sh, then build-image.sh); with
 * CORRAL_EXPECT_DOCKER=1 a missing image or daemon is a failure, else the
 * test is skipped with the reason in its title.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';

export const IMAGE = process.env.CORRAL_DOCKER_IMAGE ?? '';
const expected = process.env.CORRAL_EXPECT_DOCKER === '1';

function whyNot(): string | undefined {
  if (IMAGE === '') return 'CORRAL_DOCKER_IMAGE is not set (.ci/run sets it: test-container/start-docker.sh, then build-image.sh)';
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' });
  } catch {
    return `no Docker daemon answers, or it has no image ${IMAGE}`;
  }
  return undefined;
}
const skipReason = whyNot();

export const dockerTest = (title: string, body: (t: ExecutionContext) => Promise<void>) =>
  skipReason === undefined
    ? test.serial(title, body)
    : expected
      ? test.serial(title, (t) => t.fail(`CORRAL_EXPECT_DOCKER=1, but ${skipReason}`))
      : test.skip(`${title} (skipped: ${skipReason})`, body);
