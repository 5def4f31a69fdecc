import type { Pool, PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

/** Every hand-written statement on `webhook_dead_letters`. */
export interface DeadLetterRow {
  id: string;
  accountId: string;
  ruleId: string;
  eventId: string;
  envelope: Record<string, unknown>;
  lastError: string;
  attempts: number;
  createdAt: Date;
  /** created_at with its microseconds (a JS Date keeps only milliseconds): the keyset position. */
  position: string;
}

// Rows of one statement share created_at to the microsecond; the keyset needs that precision.
const COLUMNS = `id, account_id, rule_id, event_id, envelope, last_error, attempts, created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position`;

function toRow(r: Record<string, any>): DeadLetterRow {
  return {
    id: r.id,
    accountId: r.account_id,
    ruleId: r.rule_id,
    eventId: r.event_id,
    envelope: r.envelope,
    lastError: r.last_error,
    attempts: r.attempts,
    createdAt: r.created_at,
    position: r.position,
  };
}

export const deadLetterRepository = {
  /** Dead-letters events; a repeat failure of the same event for the same rule updates its row. */
  async insert(
    client: PoolClient | Pool,
    accountId: string,
    ruleId: string,
    items: Array<{ eventId: string; envelope: unknown }>,
    error: string,
    attempts: number,
  ): Promise<void> {
    if (items.length === 0) return;
    await client.query(
      `INSERT INTO webhook_dead_letters (account_id, rule_id, event_id, envelope, last_error, attempts)
       SELECT $1, $2, k.event_id, k.envelope, $5, $6 FROM unnest($3::uuid[], $4::jsonb[]) AS k(event_id, envelope)
       ON CONFLICT (rule_id, event_id) DO UPDATE
         SET envelope = excluded.envelope, last_error = excluded.last_error,
             attempts = webhook_dead_letters.attempts + excluded.attempts`,
      [accountId, ruleId, items.map((i) => i.eventId), items.map((i) => JSON.stringify(i.envelope)), error.slice(0, 1024), attempts],
    );
  },

  /** One page of a rule's dead letters (tenant client: RLS applies), keyset on (created_at, id). */
  async page(
    client: PoolClient,
    accountId: string,
    ruleId: string,
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<DeadLetterRow[]> {
    const { rows } = await client.query(
      `SELECT ${COLUMNS} FROM webhook_dead_letters
       WHERE account_id = $1 AND rule_id = $2 AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
       ORDER BY created_at, id LIMIT $5`,
      [accountId, ruleId, after?.createdAt ?? null, after?.id ?? null, limit],
    );
    return rows.map(toRow);
  },

  /** Ids of a rule's dead letters to redrive (all, or those named that belong to the rule). */
  async idsForRedrive(client: PoolClient, accountId: string, ruleId: string, ids: string[] | null, limit: number): Promise<string[]> {
    const { rows } = await client.query(
      `SELECT id FROM webhook_dead_letters WHERE account_id = $1 AND rule_id = $2 AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[]))
       ORDER BY created_at, id LIMIT $4`,
      [accountId, ruleId, ids, limit],
    );
    return rows.map((r) => r.id);
  },

  /** Locks one dead letter for a redrive attempt (a concurrent redrive skips it). */
  async lock(client: PoolClient, id: string): Promise<DeadLetterRow | null> {
    const { rows } = await client.query(`SELECT ${COLUMNS} FROM webhook_dead_letters WHERE id = $1 FOR UPDATE SKIP LOCKED`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  },

  async remove(client: PoolClient, id: string): Promise<void> {
    await client.query(`DELETE FROM webhook_dead_letters WHERE id = $1`, [id]);
  },

  /** Removes a rule's dead letters, inside the owner's transaction that deletes the rule. */
  async removeForRule(m: EntityManager, accountId: string, ruleId: string): Promise<void> {
    await m.query(`DELETE FROM webhook_dead_letters WHERE account_id = $1 AND rule_id = $2`, [accountId, ruleId]);
  },

  async recordRedriveFailure(client: PoolClient, id: string, error: string): Promise<void> {
    await client.query(`UPDATE webhook_dead_letters SET last_error = $2, attempts = attempts + 1 WHERE id = $1`, [
      id,
      error.slice(0, 1024),
    ]);
  },
};
