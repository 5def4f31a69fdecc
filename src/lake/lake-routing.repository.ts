import type { PoolClient } from 'pg';
import type { AdvancedEventSelector, InsightSelector } from '../trails/trail.entity';
import type { ContextKeySelector, MaxEventSize } from './event-data-store.entity';

/** The columns aggregation needs of an ingesting store. */
export interface RoutableStore {
  id: string;
  accountId: string;
  region: string;
  multiRegionEnabled: boolean;
  advancedEventSelectors: AdvancedEventSelector[];
  /** Insights on a source store (spec §10): its selectors and the store receiving the Insights events. */
  insightSelectors?: InsightSelector[] | null;
  insightsDestinationId?: string | null;
  /** Event configuration (spec §4.5): the largest event it takes, and the keys that enrich its events. */
  maxEventSize?: MaxEventSize;
  contextKeySelectors?: ContextKeySelector[] | null;
}

const toRoutable = (r: any): RoutableStore => ({
  id: r.id,
  accountId: r.account_id,
  region: r.region,
  multiRegionEnabled: r.multi_region_enabled,
  advancedEventSelectors: r.advanced_event_selectors,
  insightSelectors: r.insight_selectors,
  insightsDestinationId: r.insights_destination_id,
  maxEventSize: r.max_event_size,
  contextKeySelectors: r.context_key_selectors,
});

const STORE_COLUMNS = `id, account_id, region, multi_region_enabled, advanced_event_selectors, insight_selectors, insights_destination_id,
  max_event_size, context_key_selectors`;

/**
 * Spec §7: disabling or deleting a store's customer managed key stops its ingestion. The key ARN
 * the store holds names its row (`arn:aws:kms:<region>:<account>:key/<id>`): a primary-key probe.
 */
const KEY_USABLE = `(s.kms_key_id IS NULL OR EXISTS (
  SELECT 1 FROM kms_keys k
  WHERE k.account_id = split_part(s.kms_key_id, ':', 5) AND k.key_id::text = split_part(s.kms_key_id, 'key/', 2)
    AND k.key_state = 'Enabled'))`;

export const lakeRoutingRepository = {
  /**
   * ENABLED stores that receive `accountId`'s events: its own, and the organization stores of the
   * organization it belongs to now. Two partial-index probes; accounts without stores stop here.
   */
  async ingestingStoresCovering(client: PoolClient, accountId: string): Promise<RoutableStore[]> {
    const { rows } = await client.query(
      `SELECT ${STORE_COLUMNS}
       FROM event_data_stores s
       WHERE s.status = 'ENABLED'
         AND (s.account_id = $1
              OR (s.organization_enabled
                  AND s.organization_id = (SELECT organization_id FROM accounts WHERE id = $1)))
         AND ${KEY_USABLE}`,
      [accountId],
    );
    return rows.map(toRoutable);
  },

  /** The ENABLED stores among `ids` (Insights destinations of the covering source stores). */
  async enabledStoresById(client: PoolClient, ids: string[]): Promise<RoutableStore[]> {
    if (ids.length === 0) return [];
    const { rows } = await client.query(
      `SELECT ${STORE_COLUMNS}
       FROM event_data_stores s WHERE s.id = ANY($1::uuid[]) AND s.status = 'ENABLED' AND ${KEY_USABLE}`,
      [ids],
    );
    return rows.map(toRoutable);
  },

  /**
   * Tags of the resources among `arns` that belong to `accountId` (the event's account: an event
   * never shows another tenant's tags, whatever ARN a record names). Enrichment (TagContext) only.
   */
  async resourceTagsOf(
    client: PoolClient,
    accountId: string,
    arns: string[],
  ): Promise<Map<string, Array<{ Key: string; Value: string | null }>>> {
    const out = new Map<string, Array<{ Key: string; Value: string | null }>>();
    if (arns.length === 0) return out;
    const { rows } = await client.query(
      `SELECT arn, tags FROM event_data_stores WHERE account_id = $1 AND arn = ANY($2::text[])
       UNION ALL SELECT trail_arn, tags FROM trails WHERE account_id = $1 AND trail_arn = ANY($2::text[])
       UNION ALL SELECT arn, tags FROM channels WHERE account_id = $1 AND arn = ANY($2::text[])
       UNION ALL SELECT arn, tags FROM dashboards WHERE account_id = $1 AND arn = ANY($2::text[])`,
      [accountId, arns],
    );
    for (const r of rows) out.set(r.arn, r.tags ?? []);
    return out;
  },

  /** The organization `accountId` belongs to now (aws:PrincipalOrgID of its principals), or null. */
  async organizationOf(client: PoolClient, accountId: string): Promise<string | null> {
    const { rows } = await client.query(`SELECT organization_id FROM accounts WHERE id = $1`, [accountId]);
    return rows[0]?.organization_id ?? null;
  },
};
