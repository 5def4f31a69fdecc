import type { PoolClient } from 'pg';
import type { AdvancedEventSelector } from '../trails/trail.entity';

/** The columns aggregation needs of an ingesting store. */
export interface RoutableStore {
  id: string;
  accountId: string;
  region: string;
  multiRegionEnabled: boolean;
  advancedEventSelectors: AdvancedEventSelector[];
}

export const lakeRoutingRepository = {
  /**
   * ENABLED stores that receive `accountId`'s events: its own, and the organization stores of the
   * organization it belongs to now. Two partial-index probes; accounts without stores stop here.
   */
  async ingestingStoresCovering(client: PoolClient, accountId: string): Promise<RoutableStore[]> {
    const { rows } = await client.query(
      `SELECT id, account_id, region, multi_region_enabled, advanced_event_selectors
       FROM event_data_stores s
       WHERE s.status = 'ENABLED'
         AND (s.account_id = $1
              OR (s.organization_enabled
                  AND s.organization_id = (SELECT organization_id FROM accounts WHERE id = $1)))`,
      [accountId],
    );
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      region: r.region,
      multiRegionEnabled: r.multi_region_enabled,
      advancedEventSelectors: r.advanced_event_selectors,
    }));
  },
};
