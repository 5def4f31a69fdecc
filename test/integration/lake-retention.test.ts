import { randomUUID } from 'node:crypto';
import {
  ensureLakePartitionsFor,
  insertLakeEvents,
  lakePartitionName,
  lakePartitions,
  startOfUtcMonth,
} from '../../src/lake/lake-event.repository';
import { lakeRetentionRepository } from '../../src/lake/lake-retention.repository';
import { type LakeSession, lakeCall } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const DAY = 86_400_000;

/** Lake retention and immutability (issue 5 §4; spec §8.1.1 retention semantics). */
describe('lake retention and immutability', () => {
  let app: TestApp;
  let owner: LakeSession;
  let ownerId: string;
  const now = new Date();

  beforeAll(async () => {
    app = await startTestApp();
    owner = { token: await app.login(app.admin) };
    ownerId = app.admin.accountId;
  });
  afterAll(async () => {
    await app?.close();
  });

  const create = async (name: string, retentionPeriod: number) =>
    (
      await lakeCall(
        app,
        'createEventDataStore',
        { name, retentionPeriod, startIngestion: false, terminationProtectionEnabled: false },
        owner,
      )
    ).eventDataStoreArn.split('/')[1] as string;
  const record = (at: Date) => ({
    eventID: randomUUID(),
    eventTime: at.toISOString(),
    eventName: 'Test',
    eventSource: 'test.amazonaws.com',
    awsRegion: 'us-east-1',
    eventCategory: 'Management',
  });
  const seed = async (storeId: string, times: Date[]) => {
    const records = times.map(record);
    await ensureLakePartitionsFor(app.db.pool, times);
    await app.db.asService((client) => insertLakeEvents(client, storeId, ownerId, records), { transaction: true });
    return records.map((r) => r.eventID);
  };
  const idsOf = async (storeId: string) =>
    new Set(
      (await app.db.pool.query(`SELECT event_id FROM lake_events WHERE event_data_store_id = $1`, [storeId])).rows.map(
        (r) => r.event_id as string,
      ),
    );

  it('expires events by eventTime per store, drops partitions no store needs, purges stores deleted 7 days ago', async () => {
    const short = await create('short', 7);
    const long = await create('long', 3653);
    const gone = await create('gone', 3653);
    const waiting = await create('waiting', 3653);
    // ~16 months ago: only the short store has events there; ~15 months ago both stores do.
    const onlyShortMonth = new Date(startOfUtcMonth(new Date(now.getTime() - 540 * DAY)).getTime() + 5 * DAY);
    const sharedMonth = new Date(startOfUtcMonth(new Date(now.getTime() - 450 * DAY)).getTime() + 5 * DAY);
    const shortOld = await seed(short, [onlyShortMonth, onlyShortMonth, sharedMonth]);
    const shortRecentExpired = await seed(short, [new Date(now.getTime() - 10 * DAY)]);
    const shortKept = await seed(short, [new Date(now.getTime() - 1 * DAY)]);
    const longKept = await seed(long, [sharedMonth, new Date(now.getTime() - 10 * DAY)]);
    await seed(gone, [new Date(now.getTime() - 3 * DAY), sharedMonth]);
    const waitingKept = await seed(waiting, [new Date(now.getTime() - 3 * DAY)]);
    await app.db.pool.query(
      `UPDATE event_data_stores SET status = 'PENDING_DELETION', deleted_at = now() - interval '8 days' WHERE id = $1`,
      [gone],
    );
    await app.db.pool.query(
      `UPDATE event_data_stores SET status = 'PENDING_DELETION', deleted_at = now() - interval '2 days' WHERE id = $1`,
      [waiting],
    );

    const result = await app.services.lakeStorage.retention.run(now);
    expect(result.purgedStores).toEqual([gone]);
    expect(result.droppedPartitions).toEqual([lakePartitionName(startOfUtcMonth(onlyShortMonth))]);
    expect(await idsOf(short)).toEqual(new Set(shortKept));
    expect(await idsOf(long)).toEqual(new Set(longKept));
    expect(await idsOf(gone)).toEqual(new Set());
    expect(await idsOf(waiting)).toEqual(new Set(waitingKept));
    expect((await app.db.pool.query(`SELECT 1 FROM event_data_stores WHERE id = $1`, [gone])).rowCount).toBe(0);
    expect(shortOld.length + shortRecentExpired.length).toBe(4);
    const partitions = await lakePartitions(app.db.pool);
    expect(partitions).toContain(lakePartitionName(startOfUtcMonth(sharedMonth)));
    expect(partitions).not.toContain(lakePartitionName(startOfUtcMonth(onlyShortMonth)));
    // A second run has nothing left to do.
    const again = await app.services.lakeStorage.retention.run(now);
    expect(again).toMatchObject({ purgedStores: [], droppedPartitions: [], deletedEvents: 0 });
  });

  it('keeps a partition that an import commits rows into while retention is dropping it', async () => {
    const store = await create('latecomer', 3653);
    const month = new Date(startOfUtcMonth(new Date(now.getTime() - 900 * DAY)).getTime() + 5 * DAY);
    const name = lakePartitionName(startOfUtcMonth(month));
    await ensureLakePartitionsFor(app.db.pool, [month]);
    // An import's file transaction, not committed yet when retention first looks at the partition.
    const importer = await app.db.pool.connect();
    try {
      await importer.query('BEGIN');
      const rec = record(month);
      await insertLakeEvents(importer, store, ownerId, [rec]);
      const keepFrom = new Date(now.getTime() - 91 * DAY);
      const dropping = lakeRetentionRepository.dropExpiredPartitions(app.db.pool, now, keepFrom);
      // Retention saw no committed rows and now waits for the table lock held by the import.
      for (let i = 0; i < 200; i++) {
        const { rows } = await app.db.pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE lake_events%'`,
        );
        if (rows.length) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await importer.query('COMMIT');
      expect(await dropping).not.toContain(name);
      expect(await lakePartitions(app.db.pool)).toContain(name);
      expect(await idsOf(store)).toEqual(new Set([rec.eventID]));
    } finally {
      importer.release();
    }
  });

  it('moves forward in batches even when more rows than a batch share one eventTime', async () => {
    const store = await create('ties', 7);
    const t = new Date(now.getTime() - 20 * DAY);
    await seed(store, [t, t, t, t, t, new Date(t.getTime() + 1000), new Date(t.getTime() + 2000)]);
    const kept = await seed(store, [new Date(now.getTime() - DAY)]);
    let from: Date | string = '-infinity';
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const batch = await lakeRetentionRepository.deleteBatch(app.db.pool, store, from, new Date(now.getTime() - 7 * DAY), 3);
      total += batch.deleted;
      if (batch.done) break;
      from = batch.next;
    }
    expect(total).toBe(7);
    expect(await idsOf(store)).toEqual(new Set(kept));
  });

  describe('immutability', () => {
    let store: string;
    let eventId: string;

    beforeAll(async () => {
      store = await create('immutable', 30);
      [eventId] = await seed(store, [new Date(now.getTime() - DAY)]);
    });

    const asApp = <T>(sql: string) =>
      app.db.inTenantRaw(
        { accountId: ownerId, organizationId: app.admin.organizationId },
        (client) => client.query(sql, [store]) as Promise<T>,
      );

    it('lets the application role read and insert but never update or delete', async () => {
      const read = await asApp<{ rowCount: number }>(`SELECT 1 FROM lake_events WHERE event_data_store_id = $1`);
      expect(read.rowCount).toBe(1);
      await expect(asApp(`UPDATE lake_events SET event_name = 'Tampered' WHERE event_data_store_id = $1`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(asApp(`DELETE FROM lake_events WHERE event_data_store_id = $1`)).rejects.toThrow(/permission denied/);
      // Declaring itself the retention job changes nothing for the application role.
      await expect(
        app.db.inTenantRaw({ accountId: ownerId, organizationId: app.admin.organizationId }, async (client) => {
          await client.query(`SELECT set_config('opentrail.lake_retention', 'on', true)`);
          return client.query(`DELETE FROM lake_events WHERE event_data_store_id = $1`, [store]);
        }),
      ).rejects.toThrow(/permission denied/);
      await expect(
        app.db.inTenantRaw({ accountId: ownerId, organizationId: app.admin.organizationId }, (client) =>
          client.query(`TRUNCATE lake_events`),
        ),
      ).rejects.toThrow(/permission denied/);
    });

    it('refuses UPDATE, DELETE and TRUNCATE even to the table owner unless it is the retention job deleting', async () => {
      const owner = (sql: string) => app.db.asService((client) => client.query(sql, [store]), { transaction: true });
      await expect(owner(`UPDATE lake_events SET event_name = 'Tampered' WHERE event_data_store_id = $1`)).rejects.toThrow(
        /append-only: UPDATE/,
      );
      await expect(owner(`DELETE FROM lake_events WHERE event_data_store_id = $1`)).rejects.toThrow(/append-only: DELETE/);
      await expect(app.db.asService((client) => client.query(`TRUNCATE lake_events`), { transaction: true })).rejects.toThrow(
        /append-only: TRUNCATE/,
      );
      await expect(
        app.db.asService(
          async (client) => {
            await client.query(`SELECT set_config('opentrail.lake_retention', 'on', true)`);
            return client.query(`UPDATE lake_events SET event_name = 'Tampered' WHERE event_data_store_id = $1`, [store]);
          },
          { transaction: true },
        ),
      ).rejects.toThrow(/append-only: UPDATE/);
      const { rows } = await app.db.pool.query(`SELECT event_id, event_name FROM lake_events WHERE event_data_store_id = $1`, [store]);
      expect(rows).toEqual([{ event_id: eventId, event_name: 'Test' }]);
    });
  });
});
