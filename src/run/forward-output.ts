/**
 * The tree's stdout and stderr copied to this process's own, for when run()
 * had to make them pipes to watch them (idleTimeout). `finish()` waits until
 * the pipes end, so nothing the tree wrote is lost when the caller exits
 * right after run() settles; at most DRAIN_AFTER_TREE_MS once the tree is
 * gone (a process outside the group may still hold them).
 */
import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../driver/clock.js';
import { DRAIN_AFTER_TREE_MS } from './capture-output.js';

export class ForwardedOutput {
  readonly #ended: Promise<unknown>;

  constructor(child: ChildProcess) {
    child.stdout?.pipe(process.stdout, { end: false });
    child.stderr?.pipe(process.stderr, { end: false });
    this.#ended = Promise.all(
      [child.stdout, child.stderr].map((stream) => stream && new Promise((resolve) => stream.once('close', resolve))),
    );
  }

  async finish(clock: Clock): Promise<void> {
    const bound = clock.sleep(DRAIN_AFTER_TREE_MS);
    await Promise.race([this.#ended, bound.promise]);
    bound.cancel();
  }
}
