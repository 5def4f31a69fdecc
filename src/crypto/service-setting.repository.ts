import type { PoolClient } from 'pg';

/** Every statement on `service_settings`; runs as the service (the application role has no grant). */
export const serviceSettingRepository = {
  /**
   * The setting's value: the one stored, or `value` when there was none (stored now). Run it in a
   * transaction, so the value read back is the one this insert or an earlier one committed.
   */
  async putIfAbsent(client: PoolClient, name: string, value: string): Promise<string> {
    await client.query(`INSERT INTO service_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, value]);
    const { rows } = await client.query<{ value: string }>(`SELECT value FROM service_settings WHERE name = $1`, [name]);
    return rows[0].value;
  },
};
