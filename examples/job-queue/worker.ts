/**
 * A BullMQ worker that runs each job's command through corral: one guard
 * for the whole worker process (corral starts it with the first group), one
 * group per job, `concurrency` jobs at a time. If this process is SIGKILLed,
 * the guard kills every running job's tree; BullMQ's stalled-job check then
 * hands the jobs to another worker.
 *
 * Cancellation: a producer publishes the job id on `<queue>:cancel`
 * (requestCancel in cancel.ts); whichever worker runs the job aborts its
 * signal, and corral stops the tree gracefully within the job's grace.
 *
 * Run it: JOB_QUEUE_REDIS=/path/to/redis.sock (or host:port) node --import tsx examples/job-queue/worker.ts
 */
import { Worker, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { pathToFileURL } from 'node:url';
import { hostContainment, prepareCgroupForLimits } from '../../src/index.js';
import { cancelChannel } from './cancel.js';
import { runCommandJob, type CommandJob, type CommandOutcome, type RunJobSettings } from './run-job.js';

export interface JobWorkerOptions {
  queueName: string;
  connection: ConnectionOptions & { path?: string; host?: string; port?: number };
  concurrency?: number;
  /** BullMQ's lock and stalled-check timings (ms); small values hand a dead worker's jobs on sooner. */
  lockDuration?: number;
  stalledInterval?: number;
}

export interface JobWorker {
  worker: Worker<CommandJob, CommandOutcome>;
  /** Stop taking jobs, let the running ones finish, disconnect. */
  close(): Promise<void>;
}

export async function startJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  const settings: RunJobSettings = {};
  // Limits need this process's cgroup prepared (it moves into a leaf); only where the host can give them.
  const { limits } = hostContainment();
  if (!limits.enforceable && limits.enforceableAfterPrepare)
    settings.cgroupParent = (await prepareCgroupForLimits()).cgroupParent;

  const worker = new Worker<CommandJob, CommandOutcome>(
    options.queueName,
    (job, _token, signal) => runCommandJob(job, settings, signal),
    {
      connection: { ...options.connection, maxRetriesPerRequest: null },
      concurrency: options.concurrency ?? 4,
      ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
      ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
    },
  );
  const subscriber = new Redis({ ...(options.connection as object), maxRetriesPerRequest: null });
  subscriber.on('message', (_channel, jobId) => void worker.cancelJob(jobId, 'cancel requested'));
  await subscriber.subscribe(cancelChannel(options.queueName));
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      subscriber.disconnect();
    },
  };
}

/** JOB_QUEUE_REDIS: a unix socket path, or host:port. */
function connectionFromEnv(value = process.env.JOB_QUEUE_REDIS ?? '127.0.0.1:6379'): JobWorkerOptions['connection'] {
  if (value.startsWith('/')) return { path: value };
  const [host, port] = value.split(':');
  return { host, port: Number(port ?? 6379) };
}

async function main(): Promise<void> {
  const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const jobWorker = await startJobWorker({
    queueName: process.env.JOB_QUEUE_NAME ?? 'commands',
    connection: connectionFromEnv(),
    concurrency: number('JOB_QUEUE_CONCURRENCY'),
    lockDuration: number('JOB_QUEUE_LOCK_MS'),
    stalledInterval: number('JOB_QUEUE_STALLED_INTERVAL_MS'),
  });
  // A graceful stop: running jobs finish (their trees with them), then exit.
  process.once('SIGTERM', () => void jobWorker.close().then(() => process.exit(0)));
  // One line for whoever started us (a test, a process manager).
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
