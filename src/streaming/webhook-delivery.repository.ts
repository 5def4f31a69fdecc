import type { Pool, PoolClient } from 'pg';
import { type BatchEvent, eventRepository } from '../events/event.repository';

/**
 * Every hand-written statement on `webhook_deliveries` (pending rule deliveries) and the reads of
 * `events` / `event_rules` the streaming router and worker need. System work: owner connections.
 */
export interface PendingDelivery {
  ruleId: string;
  outboxId: string;
  accountId: string;
  eventIds: string[];
  eventTimes: Date[];
  /** How many of eventIds the receiver already accepted. */
  delivered: number;
  attempts: number;
  lastError: string | null;
  leasedUntil: Date | null;
  /** Older than WEBHOOK_MAX_EVENT_AGE_SECONDS (judged by the database clock when leased). */
  expired?: boolean;
}

const PENDING_COLUMNS = `rule_id, outbox_id, account_id, event_ids, event_times, delivered, attempts, last_error, leased_until`;

function toPending(r: Record<string, any>): PendingDelivery {
  return {
    ruleId: r.rule_id,
    outboxId: String(r.outbox_id),
    accountId: r.account_id,
    eventIds: r.event_ids,
    eventTimes: r.event_times,
    delivered: r.delivered,
    attempts: r.attempts,
    lastError: r.last_error,
    leasedUntil: r.leased_until,
    expired: r.expired,
  };
}

export interface RoutableRule {
  id: string;
  region: string;
  eventPattern: string;
  state: string;
  webhookUrl: string;
  signingSecret: string;
}

export interface StoredRecord {
  eventId: string;
  eventTime: Date;
  region: string;
  bytes: number;
  record: string;
}

/** `bytes` is the record's UTF-8 length, which is what octet_length() of the text column gives. */
export const storedRecordOf = (e: BatchEvent): StoredRecord => ({
  eventId: e.eventId,
  eventTime: e.eventTime,
  region: e.region,
  bytes: Buffer.byteLength(e.record, 'utf8'),
  record: e.record,
});

export const webhookDeliveryRepository = {
  /** Enabled rules of one account (every region: the router compares regions per event). */
  async enabledRules(client: PoolClient | Pool, accountId: string): Promise<RoutableRule[]> {
    const { rows } = await client.query(
      `SELECT id, region, event_pattern, state, webhook_url, signing_secret FROM event_rules
       WHERE account_id = $1 AND state <> 'DISABLED'`,
      [accountId],
    );
    return rows.map((r) => ({
      id: r.id,
      region: r.region,
      eventPattern: r.event_pattern,
      state: r.state,
      webhookUrl: r.webhook_url,
      signingSecret: r.signing_secret,
    }));
  },

  async ruleById(client: PoolClient | Pool, ruleId: string): Promise<(RoutableRule & { accountId: string }) | null> {
    const { rows } = await client.query(
      `SELECT id, account_id, region, event_pattern, state, webhook_url, signing_secret FROM event_rules WHERE id = $1`,
      [ruleId],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          accountId: r.account_id,
          region: r.region,
          eventPattern: r.event_pattern,
          state: r.state,
          webhookUrl: r.webhook_url,
          signingSecret: r.signing_secret,
        }
      : null;
  },

  /** The stored records of some events of one account, oldest first (eventRepository.eventsOfBatch). */
  async records(client: PoolClient | Pool, accountId: string, eventIds: string[], eventTimes: Date[]): Promise<StoredRecord[]> {
    return (await eventRepository.eventsOfBatch(client, accountId, eventIds, eventTimes)).map(storedRecordOf);
  },

  /** Inserts the pending rows of one routed batch; returns the rule ids that were new. */
  async insertPending(client: PoolClient, outboxId: string, accountId: string, byRule: Map<string, StoredRecord[]>): Promise<string[]> {
    const inserted: string[] = [];
    for (const [ruleId, records] of byRule) {
      const { rowCount } = await client.query(
        `INSERT INTO webhook_deliveries (rule_id, outbox_id, account_id, event_ids, event_times, enqueued_at)
         VALUES ($1, $2, $3, $4::uuid[], $5::timestamptz[], now()) ON CONFLICT DO NOTHING`,
        [ruleId, outboxId, accountId, records.map((r) => r.eventId), records.map((r) => r.eventTime)],
      );
      if (rowCount) inserted.push(ruleId);
    }
    return inserted;
  },

  async pending(pool: Pool, ruleId: string, outboxId: string): Promise<PendingDelivery | null> {
    const { rows } = await pool.query(`SELECT ${PENDING_COLUMNS} FROM webhook_deliveries WHERE rule_id = $1 AND outbox_id = $2`, [
      ruleId,
      outboxId,
    ]);
    return rows[0] ? toPending(rows[0]) : null;
  },

  /**
   * Takes the row for one run: only when no other run holds it (or the holder's lease ran out,
   * e.g. it was killed). Null when it is held.
   */
  async lease(
    pool: Pool,
    ruleId: string,
    outboxId: string,
    token: string,
    leaseMs: number,
    maxAgeSeconds: number,
  ): Promise<PendingDelivery | null> {
    const { rows } = await pool.query(
      `UPDATE webhook_deliveries SET lease_token = $3, leased_until = now() + make_interval(secs => $4::float8 / 1000)
       WHERE rule_id = $1 AND outbox_id = $2 AND (leased_until IS NULL OR leased_until < now())
       RETURNING ${PENDING_COLUMNS}, created_at < now() - make_interval(secs => $5) AS expired`,
      [ruleId, outboxId, token, leaseMs, maxAgeSeconds],
    );
    return rows[0] ? toPending(rows[0]) : null;
  },

  /**
   * Records that the receiver accepted `delivered` events and renews the lease; committed before
   * the next POST goes out. False when the lease was lost (another run took the row over).
   */
  async progress(pool: Pool, ruleId: string, outboxId: string, token: string, delivered: number, leaseMs: number): Promise<boolean> {
    const { rowCount } = await pool.query(
      `UPDATE webhook_deliveries SET delivered = $4, leased_until = now() + make_interval(secs => $5::float8 / 1000)
       WHERE rule_id = $1 AND outbox_id = $2 AND lease_token = $3`,
      [ruleId, outboxId, token, delivered, leaseMs],
    );
    return rowCount === 1;
  },

  /**
   * A counted failure of a rule's receiver is an attempt for every batch waiting for it: the probe
   * stands for them all (EventBridge counts retries per event, and each would have failed).
   */
  async countAttemptForRule(pool: Pool, ruleId: string, error: string): Promise<void> {
    await pool.query(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2 WHERE rule_id = $1`, [
      ruleId,
      error.slice(0, 1024),
    ]);
  },

  /** Gives the row up without progress (the rule's receiver is in backoff). */
  async release(pool: Pool, ruleId: string, outboxId: string, token: string): Promise<void> {
    await pool.query(
      `UPDATE webhook_deliveries SET lease_token = NULL, leased_until = NULL WHERE rule_id = $1 AND outbox_id = $2 AND lease_token = $3`,
      [ruleId, outboxId, token],
    );
  },

  /** Removes the row if this run still holds it. */
  async removeLeased(client: PoolClient | Pool, ruleId: string, outboxId: string, token: string): Promise<boolean> {
    const { rowCount } = await client.query(`DELETE FROM webhook_deliveries WHERE rule_id = $1 AND outbox_id = $2 AND lease_token = $3`, [
      ruleId,
      outboxId,
      token,
    ]);
    return rowCount === 1;
  },

  /** Outbox ids of a rule's other pending rows (to wake their jobs when its receiver recovers). */
  async pendingOfRule(pool: Pool, ruleId: string, limit: number): Promise<string[]> {
    const { rows } = await pool.query(`SELECT outbox_id FROM webhook_deliveries WHERE rule_id = $1 ORDER BY created_at LIMIT $2`, [
      ruleId,
      limit,
    ]);
    return rows.map((r) => String(r.outbox_id));
  },

  /** Whether the routing transaction that would have written a pending row has committed. */
  async outboxRouted(pool: Pool, outboxId: string): Promise<boolean> {
    const { rows } = await pool.query(`SELECT routed_at IS NOT NULL AS routed FROM event_outbox WHERE id = $1`, [outboxId]);
    return rows[0]?.routed !== false;
  },

  /** A failed attempt: drops the sent events from the row, counts the attempt, releases the lease. */
  async recordFailure(
    pool: Pool,
    d: PendingDelivery,
    token: string,
    remaining: { eventIds: string[]; eventTimes: Date[] },
    attempts: number,
    error: string,
  ): Promise<void> {
    await pool.query(
      `UPDATE webhook_deliveries SET event_ids = $4::uuid[], event_times = $5::timestamptz[], delivered = 0, attempts = $6, last_error = $7,
         lease_token = NULL, leased_until = NULL
       WHERE rule_id = $1 AND outbox_id = $2 AND lease_token = $3`,
      [d.ruleId, d.outboxId, token, remaining.eventIds, remaining.eventTimes, attempts, error.slice(0, 1024)],
    );
  },

  async remove(client: PoolClient | Pool, ruleId: string, outboxId: string): Promise<void> {
    await client.query(`DELETE FROM webhook_deliveries WHERE rule_id = $1 AND outbox_id = $2`, [ruleId, outboxId]);
  },

  /** Rows whose job may have been lost (Redis down, jobs exhausted); stamped as re-enqueued. */
  async claimStale(pool: Pool, olderThanSeconds: number, limit: number): Promise<Array<{ ruleId: string; outboxId: string }>> {
    const { rows } = await pool.query(
      `UPDATE webhook_deliveries SET enqueued_at = now()
       WHERE (rule_id, outbox_id) IN (SELECT rule_id, outbox_id FROM webhook_deliveries
                                      WHERE coalesce(enqueued_at, created_at) < now() - make_interval(secs => $1)
                                      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING rule_id, outbox_id`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => ({ ruleId: r.rule_id, outboxId: String(r.outbox_id) }));
  },
};
