/**
 * The process that runs one jest test file, started by corral/jest inside
 * the file's group: it loads jest-runner's own test worker (the module
 * jest-worker runs in jest's default runner), sets it up with the file's
 * module map, runs the file, and sends the result back. Custom messages
 * (jest's per-test events) reach the runner through jest-worker's
 * messageParent(), as they do from jest's own workers. It then waits for the
 * runner to stop its group.
 */
import { createRequire } from 'node:module';

interface FileRequest {
  /** jest-runner's build/testWorker.js, resolved by the runner. */
  testWorker: string;
  setup: unknown;
  request: unknown;
}

interface TestWorkerModule {
  setup(data: unknown): Promise<void>;
  worker(request: unknown): Promise<unknown>;
}

process.once('message', (message: FileRequest) => {
  void runFile(message).then((reply) => process.send?.(reply));
});

async function runFile({ testWorker, setup, request }: FileRequest): Promise<{ result: unknown } | { error: unknown }> {
  try {
    const worker = createRequire(testWorker)(testWorker) as TestWorkerModule;
    await worker.setup(setup);
    return { result: await worker.worker(request) };
  } catch (error) {
    // jest's testWorker throws plain { message, stack, type } objects already.
    return { error: error instanceof Error ? { message: error.message, stack: error.stack, type: 'Error' } : error };
  }
}
