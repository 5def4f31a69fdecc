import type { Pool, PoolClient } from 'pg';

/**
 * Upserts of trail_delivery_status (one row per trail and source region; owner = the trail's
 * account, for row-level security when getTrailStatus reads it). Every delivery attempt writes
 * one; success clears the error, failure keeps the last success time.
 */
export interface StatusKey {
  trailId: string;
  region: string;
  trailAccountId: string;
}

export const trailDeliveryStatusRepository = {
  async deliverySucceeded(client: PoolClient, k: StatusKey, at: Date): Promise<void> {
    await client.query(
      `INSERT INTO trail_delivery_status (trail_id, region, account_id, latest_delivery_attempt_time, latest_delivery_time, latest_delivery_error, updated_at)
       VALUES ($1, $2, $3, $4, $4, NULL, now())
       ON CONFLICT (trail_id, region) DO UPDATE SET latest_delivery_attempt_time = $4, latest_delivery_time = $4,
         latest_delivery_error = NULL, updated_at = now()`,
      [k.trailId, k.region, k.trailAccountId, at],
    );
  },

  async deliveryFailed(client: PoolClient, k: StatusKey, at: Date, errorCode: string): Promise<void> {
    await client.query(
      `INSERT INTO trail_delivery_status (trail_id, region, account_id, latest_delivery_attempt_time, latest_delivery_error, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (trail_id, region) DO UPDATE SET latest_delivery_attempt_time = $4, latest_delivery_error = $5, updated_at = now()`,
      [k.trailId, k.region, k.trailAccountId, at, errorCode.slice(0, 1024)],
    );
  },

  async notification(client: Pool | PoolClient, k: StatusKey, at: Date, error: string | null): Promise<void> {
    await client.query(
      `INSERT INTO trail_delivery_status (trail_id, region, account_id, latest_notification_attempt_time, latest_notification_time, latest_notification_error, updated_at)
       VALUES ($1, $2, $3, $4::timestamptz, CASE WHEN $5::text IS NULL THEN $4::timestamptz END, $5::text, now())
       ON CONFLICT (trail_id, region) DO UPDATE SET latest_notification_attempt_time = $4::timestamptz,
         latest_notification_time = CASE WHEN $5::text IS NULL THEN $4::timestamptz ELSE trail_delivery_status.latest_notification_time END,
         latest_notification_error = $5::text, updated_at = now()`,
      [k.trailId, k.region, k.trailAccountId, at, error === null ? null : error.slice(0, 1024)],
    );
  },
};
