import { Queue } from 'bullmq';
import type { Config } from '../config';
import { queuePrefix, type RedisConnection } from '../common/redis-client';
import { JOBS, type JobData, type JobName, type JobSettings, QUEUE_NAMES, type QueueName } from './queues';

/** What a producer may do with a queue besides adding: read its jobs' states and counts. */
export type QueueReader = Pick<Queue, 'getJob' | 'getJobs' | 'getJobState' | 'getJobCounts'>;

/** One job of a bulk add; `attempt` as in JobSpec.id (sweeps that re-add). */
export interface BulkEntry<D> {
  data: D;
  attempt?: number;
}

/** Adding jobs in bulk (fan-outs hand this to the service that lists the work). */
export interface JobBulkEnqueuer {
  enqueueBulk<Q extends QueueName, N extends JobName<Q>>(queue: Q, job: N, entries: Array<BulkEntry<JobData<Q, N>>>): Promise<void>;
}

/**
 * The producers of every queue, on one connection. The only way to add a job: the job's id and
 * options come from the queue list (queues.ts), so a producer states what, never how.
 */
export class JobQueues implements JobBulkEnqueuer {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    connection: RedisConnection,
    prefixes: Pick<Config, 'redisPrefix' | 'redisClusterNodes'>,
    private readonly settings: JobSettings,
  ) {
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection, prefix: queuePrefix(prefixes, name) });
      queue.on('error', () => undefined); // the connection's owner reports its failures
      this.queues.set(name, queue);
    }
  }

  /** Adds one job; a job whose id exists already is ignored by BullMQ (de-duplication). */
  async enqueue<Q extends QueueName, N extends JobName<Q>>(queue: Q, job: N, data: JobData<Q, N>, attempt?: number): Promise<void> {
    const spec = JOBS[queue][job];
    await this.queues.get(queue)!.add(job, data, { ...spec.options(this.settings), jobId: spec.id(data, attempt) });
  }

  /** Adds many jobs of one kind in one round trip (fan-out). */
  async enqueueBulk<Q extends QueueName, N extends JobName<Q>>(queue: Q, job: N, entries: Array<BulkEntry<JobData<Q, N>>>): Promise<void> {
    const spec = JOBS[queue][job];
    await this.queues
      .get(queue)!
      .addBulk(
        entries.map((e) => ({ name: job, data: e.data, opts: { ...spec.options(this.settings), jobId: spec.id(e.data, e.attempt) } })),
      );
  }

  queue(name: QueueName): QueueReader {
    return this.queues.get(name)!;
  }

  async close(): Promise<void> {
    for (const queue of this.queues.values()) await queue.close().catch(() => undefined);
  }
}
