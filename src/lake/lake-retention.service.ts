import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { PENDING_DELETION_DAYS } from './event-data-store.service';
import { ensureLakePartitionsAround } from './lake-partitions';
import { lakeRetentionRepository } from './lake-retention.repository';

const DAY_MS = 86_400_000;

export interface LakeRetentionResult {
  purgedStores: string[];
  droppedPartitions: string[];
  deletedEvents: number;
  createdPartitions: string[];
}

/**
 * Lake retention (spec §8.1.1): an event is kept while its eventTime is within its store's
 * retention period; stores deleted 7 days ago are purged with their events. Whole monthly
 * partitions are dropped when no store still needs them (cheap, no bloat); otherwise expired rows
 * are deleted in bounded batches. This is the only code path that removes Lake events
 * (bench/lake-retention.ts measures both paths).
 */
export class LakeRetentionService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async run(now = new Date()): Promise<LakeRetentionResult> {
    const pool = this.db.pool;
    const createdPartitions = await ensureLakePartitionsAround(pool, this.config, now);
    let deletedEvents = 0;
    const purgedStores: string[] = [];
    for (const id of await lakeRetentionRepository.storesToPurge(pool, now, PENDING_DELETION_DAYS)) {
      deletedEvents += await lakeRetentionRepository.deleteAll(pool, id, null);
      await lakeRetentionRepository.deleteStore(pool, id);
      purgedStores.push(id);
    }
    const keepFrom = new Date(now.getTime() - (this.config.eventHistoryRetentionDays + 1) * DAY_MS);
    const droppedPartitions = await lakeRetentionRepository.dropExpiredPartitions(pool, now, keepFrom);
    const cutoffs = await lakeRetentionRepository.storeCutoffs(pool, now);
    for (const c of cutoffs) deletedEvents += await lakeRetentionRepository.deleteAll(pool, c.id, c.cutoff);
    if (purgedStores.length || droppedPartitions.length || deletedEvents) {
      this.logger.info({ purgedStores, droppedPartitions, deletedEvents }, 'lake retention');
    }
    return { purgedStores, droppedPartitions, deletedEvents, createdPartitions };
  }
}
