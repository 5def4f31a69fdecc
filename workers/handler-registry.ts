import type { Job } from 'bullmq';
import { QUEUE_NAMES, type QueueJob, type QueueName } from '../src/jobs/queues';

/** A queue's handler as BullMQ calls it. */
export type Handler = (job: Job, token?: string) => Promise<unknown>;

/**
 * Pairs a queue with its handler, typed by that queue's jobs. The one place a BullMQ job becomes
 * a typed one: every job of the queue was added through JobQueues.enqueue, which only accepts
 * the payloads the queue list declares (or is the scheduler's tick).
 */
export function handle<Q extends QueueName>(queue: Q, handler: (job: QueueJob<Q>, token?: string) => Promise<unknown>): [Q, Handler] {
  return [queue, (job, token) => handler(job as QueueJob<Q>, token)];
}

/** Refuses to start when a queue has no handler or two, or a handler names an unknown queue. */
export function checkHandlers(list: Array<[string, unknown]>, queues: readonly string[] = QUEUE_NAMES): void {
  const problems: string[] = [];
  for (const q of queues) {
    const n = list.filter(([name]) => name === q).length;
    if (n !== 1) problems.push(`queue ${q} has ${n} handlers`);
  }
  for (const [name] of list) if (!queues.includes(name)) problems.push(`handler for unknown queue ${name}`);
  if (problems.length) throw new Error(`Worker registry is inconsistent: ${problems.join('; ')}`);
}
