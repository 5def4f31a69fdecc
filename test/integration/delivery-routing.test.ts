import { sampleEvent } from '../helpers/events';
import {
  allKeys,
  countById,
  deliveredFiles,
  insertBucket,
  insertMemberAccount,
  insertTrail,
  pendingCount,
  recordAs,
  waitFor,
} from '../helpers/delivery';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { startWorkers } from '../../workers/main';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import type { TrailEntity } from '../../src/trails/trail.entity';

jest.setTimeout(180_000);

const REGIONS = ['us-east-1', 'eu-west-1'];
const KEY = (prefix: string, org: string | null, acct: string, region: string) =>
  new RegExp(
    `^${prefix}AWSLogs/${org ? `${org}/` : ''}${acct}/CloudTrail/${region}/\\d{4}/\\d{2}/\\d{2}/${acct}_CloudTrail_${region}_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
  );

describe('delivery: routing to trails and log files', () => {
  let app: TestApp;
  let store: ObjectStore;
  let workers: { close(): Promise<void> };
  let mgmt: string;
  let org: string;
  const accounts: Record<string, string> = {};
  const trails: Record<string, TrailEntity> = {};
  /** eventID → { account, region, readOnly, record } of everything recorded. */
  const recorded = new Map<string, { account: string; region: string; readOnly: boolean; record: Record<string, unknown> }>();

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1' });
    store = createObjectStore(app.config);
    mgmt = app.admin.accountId;
    org = app.admin.organizationId;
    accounts.mgmt = mgmt;
    accounts.before = await insertMemberAccount(app.db, org, 'member-before');
    accounts.removed = await insertMemberAccount(app.db, org, 'member-removed');
    for (const b of ['org-bucket', 'own-bucket', 'wo-bucket', 'stopped-bucket']) await insertBucket(app.db, store, mgmt, b);
    trails.org = await insertTrail(app.db, {
      accountId: mgmt,
      organizationId: org,
      isOrganizationTrail: true,
      isMultiRegionTrail: true,
      name: 'org',
      homeRegion: 'us-east-1',
      s3BucketName: 'org-bucket',
      s3KeyPrefix: 'pfx',
    });
    trails.single = await insertTrail(app.db, { accountId: mgmt, name: 'single', homeRegion: 'us-east-1', s3BucketName: 'own-bucket' });
    trails.writeOnly = await insertTrail(app.db, {
      accountId: mgmt,
      name: 'write-only',
      homeRegion: 'eu-west-1',
      isMultiRegionTrail: true,
      s3BucketName: 'wo-bucket',
      eventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
      hasCustomEventSelectors: true,
    });
    trails.stopped = await insertTrail(app.db, {
      accountId: mgmt,
      name: 'stopped',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      s3BucketName: 'stopped-bucket',
      isLogging: false,
    });
    // Joins after the organization trail exists; the other one leaves the organization.
    accounts.after = await insertMemberAccount(app.db, org, 'member-after');
    await app.db.pool.query(`UPDATE accounts SET organization_id = NULL WHERE id = $1`, [accounts.removed]);

    workers = await startWorkers(app.services);
    for (const [name, account] of Object.entries(accounts)) {
      const records = [];
      for (const region of REGIONS) {
        // Enough in one group for the file splitter to cut (2000 records per file).
        const n = name === 'mgmt' && region === 'us-east-1' ? 2300 : 6;
        for (let i = 0; i < n; i++) {
          const readOnly = i % 2 === 0;
          const rec = sampleEvent(
            { awsRegion: region, readOnly, eventName: readOnly ? 'DescribeInstances' : 'RunInstances', recipientAccountId: account },
            60 + (i % 100),
          );
          records.push(rec);
          recorded.set(rec.eventID as string, { account, region, readOnly, record: rec });
        }
      }
      await recordAs(app.services, account, name === 'removed' ? null : org, records);
    }
    await waitFor(
      'routing',
      async () => (await app.db.pool.query(`SELECT count(*)::int AS n FROM event_outbox WHERE routed_at IS NULL`)).rows[0].n === 0,
    );
    await waitFor(
      'delivery',
      async () =>
        (await pendingCount(app.db)) === 0 &&
        (await app.db.pool.query(`SELECT 1 FROM trail_log_files WHERE state = 'pending'`)).rowCount === 0,
    );
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  function expected(filter: (e: { account: string; region: string; readOnly: boolean }) => boolean): Set<string> {
    return new Set([...recorded].filter(([, e]) => filter(e)).map(([id]) => id));
  }

  async function expectExactlyOnce(trail: TrailEntity, want: Set<string>) {
    const files = await deliveredFiles(app.db, store, trail.id);
    const counts = countById(files);
    const ours = [...counts].filter(([id]) => recorded.has(id));
    expect(ours.filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Set(ours.map(([id]) => id))).toEqual(want);
    return files;
  }

  it('an organization trail gets every current member account in every region, each event once', async () => {
    const want = expected((e) => e.account !== accounts.removed);
    const files = await expectExactlyOnce(trails.org, want);
    for (const f of files) {
      expect(f.key).toMatch(KEY('pfx/', org, f.accountId, f.region));
      for (const r of f.records) {
        expect(r.recipientAccountId).toBe(f.accountId);
        expect(r.awsRegion).toBe(f.region);
      }
    }
    // The member created after the trail is covered; the removed one is not.
    expect(files.some((f) => f.accountId === accounts.after)).toBe(true);
    expect(files.some((f) => f.accountId === accounts.removed)).toBe(false);
  });

  it('the delivered records are the stored records, byte for byte as JSON', async () => {
    const files = await deliveredFiles(app.db, store, trails.org.id);
    const { rows } = await app.db.pool.query(`SELECT event_id, record FROM events`);
    const stored = new Map(rows.map((r) => [r.event_id, JSON.parse(r.record)]));
    for (const f of files) for (const r of f.records) expect(r).toEqual(stored.get(r.eventID));
  });

  it('a single-region trail gets only its home region of its own account', async () => {
    const files = await expectExactlyOnce(
      trails.single,
      expected((e) => e.account === mgmt && e.region === 'us-east-1'),
    );
    for (const f of files) expect(f.key).toMatch(KEY('', null, mgmt, 'us-east-1'));
  });

  it('selectors: a write-only trail never gets read-only events', async () => {
    await expectExactlyOnce(
      trails.writeOnly,
      expected((e) => e.account === mgmt && !e.readOnly),
    );
  });

  it('a stopped trail receives nothing', async () => {
    expect(await deliveredFiles(app.db, store, trails.stopped.id)).toEqual([]);
    expect(await allKeys(store, 'stopped-bucket')).toEqual([]);
  });

  it('files are split by record count, and every object in a bucket is a delivered file (no orphans)', async () => {
    const files = await deliveredFiles(app.db, store, trails.org.id);
    const big = files.filter((f) => f.accountId === mgmt && f.region === 'us-east-1');
    expect(big.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(f.records.length).toBeLessThanOrEqual(2000);
    for (const [trail, bucket] of [
      [trails.org, 'org-bucket'],
      [trails.single, 'own-bucket'],
      [trails.writeOnly, 'wo-bucket'],
    ] as const) {
      const keys = (await deliveredFiles(app.db, store, trail.id)).map((f) => f.key).sort();
      expect((await allKeys(store, bucket)).sort()).toEqual(keys);
    }
  });

  it('records the delivery in the trail status, per source region', async () => {
    const { rows } = await app.db.pool.query(
      `SELECT region, account_id, latest_delivery_time, latest_delivery_error FROM trail_delivery_status WHERE trail_id = $1 ORDER BY region`,
      [trails.org.id],
    );
    expect(rows.map((r) => r.region)).toEqual(['eu-west-1', 'us-east-1']);
    for (const r of rows) {
      expect(r.account_id).toBe(mgmt);
      expect(r.latest_delivery_time).toBeInstanceOf(Date);
      expect(r.latest_delivery_error).toBeNull();
    }
  });
});
