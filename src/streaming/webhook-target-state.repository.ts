import type { Pool } from 'pg';

/** Every hand-written statement on `webhook_target_states` (failing receivers). Worker-only. */
export interface TargetState {
  ruleId: string;
  failures: number;
  nextAttemptAt: Date;
  probeUntil: Date | null;
  lastError: string;
}

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

const COLUMNS = `rule_id, failures, next_attempt_at, probe_until, last_error`;

function toState(r: Record<string, any>): TargetState {
  return { ruleId: r.rule_id, failures: r.failures, nextAttemptAt: r.next_attempt_at, probeUntil: r.probe_until, lastError: r.last_error };
}

// Equal jitter: half the exponential delay, plus a random share of the other half. Receivers that
// failed together do not all come back at the same instant, and the delay is never below half.
const NEXT_ATTEMPT = (failures: string) =>
  `now() + make_interval(secs => least($4::float8, $3::float8 * power(2, least(${failures} - 1, 40))) * (0.5 + random() * 0.5) / 1000)`;

export const webhookTargetStateRepository = {
  async get(pool: Pool, ruleId: string): Promise<TargetState | null> {
    const { rows } = await pool.query(`SELECT ${COLUMNS} FROM webhook_target_states WHERE rule_id = $1`, [ruleId]);
    return rows[0] ? toState(rows[0]) : null;
  },

  /**
   * Takes the probe of a failing receiver: only once its next attempt is due and no other probe is
   * in flight. Null when another delivery probes, or it is not time yet.
   */
  async claimProbe(pool: Pool, ruleId: string, probeMs: number): Promise<TargetState | null> {
    const { rows } = await pool.query(
      `UPDATE webhook_target_states SET probe_until = now() + make_interval(secs => $2::float8 / 1000)
       WHERE rule_id = $1 AND next_attempt_at <= now() AND (probe_until IS NULL OR probe_until < now())
       RETURNING ${COLUMNS}`,
      [ruleId, probeMs],
    );
    return rows[0] ? toState(rows[0]) : null;
  },

  /**
   * Records a failed POST and schedules the next attempt. A probe's failure doubles the delay; the
   * failure of a delivery that ran while the receiver still looked healthy only opens the state
   * (several deliveries that fail at once count as one failure).
   */
  async recordFailure(
    pool: Pool,
    ruleId: string,
    error: string,
    probe: boolean,
    backoff: Backoff,
  ): Promise<TargetState & { counted: boolean }> {
    const { rows } = await pool.query(
      `INSERT INTO webhook_target_states AS s (rule_id, failures, failing_since, next_attempt_at, probe_until, last_error)
       VALUES ($1, 1, now(), ${NEXT_ATTEMPT('1')}, NULL, $2)
       ON CONFLICT (rule_id) DO UPDATE SET
         failures = CASE WHEN $5 THEN s.failures + 1 ELSE s.failures END,
         next_attempt_at = CASE WHEN $5 THEN ${NEXT_ATTEMPT('(s.failures + 1)')} ELSE s.next_attempt_at END,
         probe_until = CASE WHEN $5 THEN NULL ELSE s.probe_until END,
         last_error = excluded.last_error
       RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
      [ruleId, error.slice(0, 1024), backoff.firstMs, backoff.maxMs, probe],
    );
    // `counted`: this failure moved the backoff (a probe's, or the one that opened the state).
    return { ...toState(rows[0]), counted: probe || rows[0].inserted === true };
  },

  /** States of deleted rules (a rule's deletion runs as its tenant, which has no grant here). */
  async removeOrphans(pool: Pool): Promise<number> {
    const { rowCount } = await pool.query(
      `DELETE FROM webhook_target_states s WHERE NOT EXISTS (SELECT 1 FROM event_rules r WHERE r.id = s.rule_id)`,
    );
    return rowCount ?? 0;
  },

  /** The receiver accepted a POST: it is healthy again. */
  async clear(pool: Pool, ruleId: string): Promise<void> {
    await pool.query(`DELETE FROM webhook_target_states WHERE rule_id = $1`, [ruleId]);
  },
};
