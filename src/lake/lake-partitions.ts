import type { Pool } from 'pg';
import type { Config } from '../config';
import { ensureLakePartitions } from './lake-event.repository';

const DAY_MS = 86_400_000;

/**
 * Lake partitions for every event aggregation can copy: the event history window (an event's
 * time is within it, or it would not be in `events`) to the days ahead the events table is
 * prepared for. Imports and channels create partitions for other months on demand.
 */
export async function ensureLakePartitionsAround(
  pool: Pool,
  config: Pick<Config, 'eventHistoryRetentionDays' | 'partitionsAheadDays'>,
  now = new Date(),
): Promise<string[]> {
  return ensureLakePartitions(
    pool,
    new Date(now.getTime() - (config.eventHistoryRetentionDays + 1) * DAY_MS),
    new Date(now.getTime() + (config.partitionsAheadDays + 1) * DAY_MS),
  );
}
