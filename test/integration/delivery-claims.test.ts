import { createDeliveryService } from '../../src/delivery/delivery-services';
import type { DeliveryService } from '../../src/delivery/delivery.service';
import type { DeliveryGroup, PendingLogFile } from '../../src/delivery/trail-log-file.repository';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import type { TrailEntity } from '../../src/trails/trail.entity';
import { countById, deliveredFiles, insertBucket, insertTrail, recordAs } from '../helpers/delivery';
import { sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/**
 * The claim's edges, driven directly (no workers, pending rows inserted by hand so nothing else
 * is in the group): a file's event set lives on its trail_log_files row, so its commit must delete
 * exactly those pending rows — not an event routed late into the same time range — and a file
 * claimed by the previous version (pending rows marked with file_id, no event set on the file) is
 * still delivered at its fixed key with its fixed events.
 */
describe('delivery: claims', () => {
  let app: TestApp;
  let store: ObjectStore;
  let account: string;

  beforeAll(async () => {
    app = await startTestApp({ LOG_LEVEL: 'error' });
    store = createObjectStore(app.config);
    account = app.admin.accountId;
  });

  afterAll(async () => {
    await app?.close();
  });

  async function trail(name: string): Promise<{ trail: TrailEntity; group: DeliveryGroup }> {
    await insertBucket(app.db, store, account, `claims-${name}`);
    const t = await insertTrail(app.db, { accountId: account, name, homeRegion: 'us-east-1', s3BucketName: `claims-${name}` });
    return { trail: t, group: { trailId: t.id, accountId: account, region: 'us-east-1', kind: 'CloudTrail' } };
  }

  /** Records events `secondsAgo` in the past (us-east-1); returns their ids in the same order. */
  async function record(secondsAgo: number[]): Promise<string[]> {
    const records = secondsAgo.map((s) => sampleEvent({ awsRegion: 'us-east-1' }, s));
    await recordAs(app.services, account, app.admin.organizationId, records);
    return records.map((r) => r.eventID as string);
  }

  async function makePending(trailId: string, ids: string[], fileId: string | null = null): Promise<void> {
    const { rowCount } = await app.db.pool.query(
      `INSERT INTO trail_pending_events (trail_id, account_id, region, kind, event_time, event_id, outbox_id, file_id)
       SELECT $1, e.account_id, e.region, 'CloudTrail', e.event_time, e.event_id, 0, $3 FROM events e WHERE e.account_id = $4 AND e.event_id = ANY($2::uuid[])`,
      [trailId, ids, fileId, account],
    );
    expect(rowCount).toBe(ids.length);
  }

  async function pendingOf(trailId: string): Promise<number> {
    const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM trail_pending_events WHERE trail_id = $1`, [trailId]);
    return rows[0].n;
  }

  function service(afterObjectWritten?: (file: PendingLogFile) => Promise<void>): DeliveryService {
    return createDeliveryService({ config: app.config, db: app.db, logger: app.services.logger }, app.services.storage, {
      afterObjectWritten,
    });
  }

  it("commits delete only the file's own events: one routed late inside its time range goes to the next file", async () => {
    const { trail: t, group } = await trail('late');
    const [first, late, last] = await record([300, 200, 100]);
    await makePending(t.id, [first, last]);
    let injected = false;
    const delivery = service(async () => {
      if (injected) return;
      injected = true;
      // Routed while the first file is being written: older than its newest event.
      await makePending(t.id, [late]);
    });

    const result = await delivery.deliverGroup(group);

    expect(result).toEqual({ files: 2, events: 3 });
    const files = await deliveredFiles(app.db, store, t.id);
    expect(files.map((f) => f.records.map((r) => r.eventID))).toEqual([[first, last], [late]]);
    expect([...countById(files).values()]).toEqual([1, 1, 1]);
    expect(await pendingOf(t.id)).toBe(0);
    const { rows } = await app.db.pool.query(
      `SELECT count(*)::int AS n FROM trail_log_files WHERE trail_id = $1 AND (event_ids IS NOT NULL OR event_times IS NOT NULL)`,
      [t.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('a storage failure leaves the file pending with its event set; the retry writes the same key with the same events', async () => {
    const { trail: t, group } = await trail('retry');
    const ids = await record([90, 80, 70]);
    await makePending(t.id, ids);
    let fail = true;
    const delivery = service(async () => {
      if (fail) {
        fail = false;
        throw new Error('crash between write and commit');
      }
    });

    await expect(delivery.deliverGroup(group)).rejects.toThrow('crash between write and commit');
    const { rows: pending } = await app.db.pool.query(
      `SELECT object_key, event_ids FROM trail_log_files WHERE trail_id = $1 AND state = 'pending'`,
      [t.id],
    );
    expect(pending).toHaveLength(1);
    expect(pending[0].event_ids).toEqual(ids);
    expect(await pendingOf(t.id)).toBe(3);

    expect(await delivery.deliverGroup(group)).toEqual({ files: 1, events: 3 });
    const files = await deliveredFiles(app.db, store, t.id);
    expect(files.map((f) => f.key)).toEqual([pending[0].object_key]);
    expect(files[0].records.map((r) => r.eventID)).toEqual(ids);
    expect(await pendingOf(t.id)).toBe(0);
  });

  it('a file claimed by the previous version (rows marked with file_id) is delivered first, at its key, with exactly its events', async () => {
    const { trail: t, group } = await trail('legacy');
    const [a, b, c] = await record([60, 50, 40]);
    const { rows } = await app.db.pool.query(
      `INSERT INTO trail_log_files (id, trail_id, trail_account_id, account_id, region, bucket, object_key, state, event_count, oldest_event_time, newest_event_time, kind)
       SELECT gen_random_uuid(), $1, $2::varchar, $2::varchar, 'us-east-1', 'claims-legacy', 'AWSLogs/legacy-claimed.json.gz', 'pending', 2, min(event_time), max(event_time), 'CloudTrail'
       FROM events WHERE account_id = $2::varchar AND event_id = ANY($3::uuid[]) RETURNING id`,
      [t.id, account, [a, c]],
    );
    await makePending(t.id, [a, c], rows[0].id);
    await makePending(t.id, [b]);

    expect(await service().deliverGroup(group)).toEqual({ files: 2, events: 3 });
    const files = await deliveredFiles(app.db, store, t.id);
    expect(files.map((f) => f.key)[0]).toBe('AWSLogs/legacy-claimed.json.gz');
    expect(files.map((f) => f.records.map((r) => r.eventID))).toEqual([[a, c], [b]]);
    expect(await pendingOf(t.id)).toBe(0);
  });
});
