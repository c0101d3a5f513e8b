/**
 * Cancelling a running job from anywhere: BullMQ's worker.cancelJob() only
 * reaches jobs of the worker it is called on, so producers publish the job id
 * on a channel every worker of the queue listens to.
 */
import type { Redis } from 'ioredis';

export function cancelChannel(queueName: string): string {
  return `${queueName}:cancel`;
}

/** Ask whichever worker runs `jobId` to cancel it; resolves with the number of workers that heard. */
export function requestCancel(redis: Redis, queueName: string, jobId: string): Promise<number> {
  return redis.publish(cancelChannel(queueName), jobId);
}
