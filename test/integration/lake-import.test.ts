import { gzipSync } from 'node:zlib';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { logFileKey, uniqueSuffix } from '../../src/delivery/log-file-key';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import { startWorkers } from '../../workers/main';
import { sampleEvent } from '../helpers/events';
import { deliveredFiles, insertBucket, insertTrail, pendingCount, recordAs, waitFor } from '../helpers/delivery';
import { type LakeSession, lakeCall, lakeEventIds, lakeFails } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(180_000);

const ROLE = 'arn:aws:iam::123456789012:role/import';
const source = (bucket: string, prefix = '') => ({
  s3: { s3LocationUri: `s3://${bucket}${prefix}`, s3BucketRegion: 'us-east-1', s3BucketAccessRoleArn: ROLE },
});

/** Imports of trail log files into event data stores (spec §8.4). */
describe('lake imports', () => {
  let app: TestApp;
  let objects: ObjectStore;
  let mgmt: LakeSession;
  let mgmtId: string;
  let orgId: string;
  let other: LakeSession;

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    objects = createObjectStore(app.config);
    mgmt = { token: await app.login(app.admin) };
    mgmtId = app.admin.accountId;
    orgId = app.admin.organizationId;
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Import B', 'import-b@example.com'));
    other = { token: await app.login(credsB) };
  });
  afterAll(async () => {
    await app?.close();
  });

  const store = async (name: string, over: Record<string, unknown> = {}) =>
    (await lakeCall(app, 'createEventDataStore', { name, startIngestion: false, terminationProtectionEnabled: false, ...over }, mgmt))
      .eventDataStoreArn as string;

  it('copies every event of a delivered trail bucket into a store, through the worker', async () => {
    await insertBucket(app.db, objects, mgmtId, 'delivered-logs');
    const trail = await insertTrail(app.db, {
      accountId: mgmtId,
      name: 'to-import',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      s3BucketName: 'delivered-logs',
    });
    const workers = await startWorkers(app.services);
    try {
      const records = [...Array(30)].map((_, i) => sampleEvent({ awsRegion: i % 2 ? 'eu-west-1' : 'us-east-1' }, 60 + i));
      await recordAs(app.services, mgmtId, orgId, records);
      await waitFor(
        'delivery',
        async () => (await pendingCount(app.db)) === 0 && (await deliveredFiles(app.db, objects, trail.id)).length > 0,
      );
      const delivered = new Set(
        (await deliveredFiles(app.db, objects, trail.id)).flatMap((f) => f.records.map((r) => r.eventID as string)),
      );
      for (const r of records) expect(delivered.has(r.eventID as string)).toBe(true);

      const arn = await store('imported');
      const started = await lakeCall(app, 'startImport', { destinations: [arn], importSource: source('delivered-logs') }, mgmt);
      expect(started).toMatchObject({ importStatus: 'INITIALIZING', destinations: [arn], importSource: source('delivered-logs') });
      const done = await waitFor('import', async () => {
        const i = await lakeCall(app, 'getImport', { importId: started.importId }, mgmt);
        return i.importStatus === 'COMPLETED' ? i : null;
      });
      const files = await deliveredFiles(app.db, objects, trail.id);
      expect(done.importStatistics).toMatchObject({ filesCompleted: files.length, eventsCompleted: delivered.size, failedEntries: 0 });
      expect(done.importStatistics.prefixesCompleted).toBe(done.importStatistics.prefixesFound);
      expect(await lakeEventIds(app, arn)).toEqual(delivered);
      const listed = await lakeCall(app, 'listImports', { destination: arn }, mgmt);
      expect(listed.imports.map((i: any) => i.importId)).toEqual([started.importId]);
    } finally {
      await workers.close();
    }
  });

  describe('files written here (no workers: the import runs step by step)', () => {
    const now = Date.now();
    const day = 86_400_000;
    const put = async (bucket: string, region: string, at: Date, records: unknown[] | Buffer) => {
      const key = logFileKey({ prefix: null, organizationId: null, accountId: mgmtId, region, deliveredAt: at, unique: uniqueSuffix() });
      await objects.putObject(bucket, key, Buffer.isBuffer(records) ? records : gzipSync(JSON.stringify({ Records: records })));
      return key;
    };
    const ev = (daysAgo: number) => sampleEvent({}, daysAgo * 86_400 + 60);
    let arn: string;
    const inRange: string[] = [];
    const outOfRange: string[] = [];

    beforeAll(async () => {
      await insertBucket(app.db, objects, mgmtId, 'hand-logs');
      // Five days of files, two regions; the range keeps days 4..2 ago.
      for (let d = 5; d >= 1; d--) {
        for (const region of ['us-east-1', 'eu-west-1']) {
          const recs = [ev(d), ev(d)];
          (d <= 4 && d >= 2 ? inRange : outOfRange).push(...recs.map((r) => r.eventID as string));
          await put('hand-logs', region, new Date(now - d * day + 3_600_000), recs);
        }
      }
      // Not a log file (wrong name) and outside CloudTrail's layout: never read.
      await objects.putObject('hand-logs', 'notes/readme.txt', Buffer.from('hello'));
      arn = await store('hand-imported', { retentionPeriod: 30 });
    });

    it('validates the request and the caller’s access to the bucket', async () => {
      await lakeFails(app, 'startImport', { destinations: [], importSource: source('hand-logs') }, mgmt, 'InvalidParameterException');
      await lakeFails(
        app,
        'startImport',
        { destinations: [arn], importSource: { s3: { ...source('hand-logs').s3, s3LocationUri: 'http://x' } } },
        mgmt,
        'InvalidImportSourceException',
      );
      await lakeFails(
        app,
        'startImport',
        { destinations: [arn], importSource: { s3: { ...source('hand-logs').s3, s3BucketAccessRoleArn: 'nope' } } },
        mgmt,
        'InvalidImportSourceException',
      );
      await lakeFails(
        app,
        'startImport',
        { destinations: [arn], importSource: source('no-such-bucket') },
        mgmt,
        'InvalidImportSourceException',
      );
      await lakeFails(
        app,
        'startImport',
        { destinations: [arn], importSource: source('hand-logs'), startEventTime: new Date(now), endEventTime: new Date(now - day) },
        mgmt,
        'InvalidParameterException',
      );
      // Another tenant can neither target the store nor read the bucket.
      await lakeFails(
        app,
        'startImport',
        { destinations: [arn], importSource: source('hand-logs') },
        other,
        'EventDataStoreNotFoundException',
      );
      const theirs = (await lakeCall(app, 'createEventDataStore', { name: 'theirs', startIngestion: false }, other)).eventDataStoreArn;
      await lakeFails(
        app,
        'startImport',
        { destinations: [theirs], importSource: source('hand-logs') },
        other,
        'InvalidImportSourceException',
      );
      const aal = (
        await lakeCall(
          app,
          'createEventDataStore',
          { name: 'aal-dest', advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['ActivityAuditLog'] }] }] },
          mgmt,
        )
      ).eventDataStoreArn;
      await lakeFails(
        app,
        'startImport',
        { destinations: [aal], importSource: source('hand-logs') },
        mgmt,
        'InvalidEventDataStoreCategoryException',
      );
      await lakeFails(app, 'getImport', { importId: '00000000-0000-4000-8000-000000000000' }, mgmt, 'ImportNotFoundException');
      await lakeFails(app, 'getImport', { importId: 'x' }, mgmt, 'InvalidParameterException');
    });

    it('filters by event time, resumes after an interruption and never double counts', async () => {
      const started = await lakeCall(
        app,
        'startImport',
        {
          destinations: [arn],
          importSource: source('hand-logs'),
          startEventTime: new Date(now - 4 * day - 3_600_000),
          endEventTime: new Date(now - 2 * day + 3_600_000),
        },
        mgmt,
      );
      // One ongoing import per account; the store cannot be deleted or updated meanwhile.
      await lakeFails(
        app,
        'startImport',
        { destinations: [arn], importSource: source('hand-logs') },
        mgmt,
        'AccountHasOngoingImportException',
      );
      await lakeFails(app, 'deleteEventDataStore', { eventDataStore: arn }, mgmt, 'EventDataStoreHasOngoingImportException');
      await lakeFails(
        app,
        'updateEventDataStore',
        { eventDataStore: arn, retentionPeriod: 31 },
        mgmt,
        'EventDataStoreHasOngoingImportException',
      );
      // A crash after two files: the progress of those two is committed, nothing else.
      expect((await app.services.lakeStorage.imports.runImport(started.importId, { maxFiles: 2 })).status).toBe('IN_PROGRESS');
      const mid = await lakeCall(app, 'getImport', { importId: started.importId }, mgmt);
      expect(mid.importStatus).toBe('IN_PROGRESS');
      expect(mid.importStatistics.filesCompleted).toBe(2);
      // The resumed run finishes the rest; a second run finds it done.
      expect((await app.services.lakeStorage.imports.runImport(started.importId)).status).toBe('COMPLETED');
      expect((await app.services.lakeStorage.imports.runImport(started.importId)).status).toBe('COMPLETED');
      const done = await lakeCall(app, 'getImport', { importId: started.importId }, mgmt);
      expect(done.importStatistics.eventsCompleted).toBe(inRange.length);
      expect(await lakeEventIds(app, arn)).toEqual(new Set(inRange));
      // Files of days 5..1 can hold events of the range only from day 5 (delivered on day 4's eve) on: at least 6 files read.
      expect(done.importStatistics.filesCompleted).toBeGreaterThanOrEqual(6);
    });

    it('records unreadable files as failures; a FAILED import can be retried without duplicates', async () => {
      const broken = await put('hand-logs', 'us-east-1', new Date(now - day), Buffer.from('not gzip'));
      const started = await lakeCall(app, 'startImport', { destinations: [arn], importSource: source('hand-logs') }, mgmt);
      expect((await app.services.lakeStorage.imports.runImport(started.importId)).status).toBe('FAILED');
      const failed = await lakeCall(app, 'getImport', { importId: started.importId }, mgmt);
      expect(failed.importStatistics.failedEntries).toBe(1);
      // The events already imported by the previous import were not stored twice.
      expect(failed.importStatistics.eventsCompleted).toBe(outOfRange.length);
      const failures = await lakeCall(app, 'listImportFailures', { importId: started.importId }, mgmt);
      expect(failures.failures).toEqual([expect.objectContaining({ location: `s3://hand-logs/${broken}`, status: 'FAILED' })]);
      expect(await lakeEventIds(app, arn)).toEqual(new Set([...inRange, ...outOfRange]));

      // Only one import at a time: a retry while another import is still initializing is refused.
      const ongoing = await lakeCall(app, 'startImport', { destinations: [arn], importSource: source('hand-logs') }, mgmt);
      expect(ongoing.importStatus).toBe('INITIALIZING');
      await lakeFails(app, 'startImport', { importId: started.importId }, mgmt, 'AccountHasOngoingImportException');
      expect((await lakeCall(app, 'getImport', { importId: started.importId }, mgmt)).importStatus).toBe('FAILED');
      await lakeCall(app, 'stopImport', { importId: ongoing.importId }, mgmt);

      await objects.putObject('hand-logs', broken, gzipSync(JSON.stringify({ Records: [ev(1)] })));
      const retried = await lakeCall(app, 'startImport', { importId: started.importId }, mgmt);
      expect(retried.importStatus).toBe('INITIALIZING');
      expect((await app.services.lakeStorage.imports.runImport(started.importId)).status).toBe('COMPLETED');
      const after = await lakeCall(app, 'getImport', { importId: started.importId }, mgmt);
      expect(after.importStatistics).toMatchObject({ failedEntries: 0, eventsCompleted: 1 });
      expect((await lakeCall(app, 'listImportFailures', { importId: started.importId }, mgmt)).failures).toEqual([]);
      await lakeFails(app, 'startImport', { importId: started.importId }, mgmt, 'InvalidParameterException');
    });

    it('stops an ongoing import; another account cannot see or stop it', async () => {
      const started = await lakeCall(app, 'startImport', { destinations: [arn], importSource: source('hand-logs') }, mgmt);
      await lakeFails(app, 'stopImport', { importId: started.importId }, other, 'ImportNotFoundException');
      expect((await lakeCall(app, 'listImports', {}, other)).imports).toEqual([]);
      const stopped = await lakeCall(app, 'stopImport', { importId: started.importId }, mgmt);
      expect(stopped.importStatus).toBe('STOPPED');
      expect((await app.services.lakeStorage.imports.runImport(started.importId)).status).toBe('STOPPED');
      const listed = (await lakeCall(app, 'listImports', { importStatus: 'STOPPED' }, mgmt)).imports;
      expect(listed.map((i: any) => i.importId)).toContain(started.importId);
      expect(listed.every((i: any) => i.importStatus === 'STOPPED')).toBe(true);
    });

    it('imports only events of the store’s own account from a bucket other accounts share', async () => {
      await insertBucket(app.db, objects, mgmtId, 'shared-logs');
      const foreign = sampleEvent({ recipientAccountId: '999988887777' }, 2 * 86_400);
      const own = sampleEvent({ recipientAccountId: mgmtId }, 2 * 86_400);
      const unattributed = sampleEvent({}, 2 * 86_400); // no recipientAccountId: the file's account
      await put('shared-logs', 'us-east-1', new Date(now - day), [foreign, own, unattributed]);
      // A file delivered for another account, though readable here.
      const theirKey = logFileKey({
        prefix: null,
        organizationId: null,
        accountId: '999988887777',
        region: 'us-east-1',
        deliveredAt: new Date(now - day),
        unique: uniqueSuffix(),
      });
      const theirs = sampleEvent({}, 2 * 86_400);
      await objects.putObject('shared-logs', theirKey, gzipSync(JSON.stringify({ Records: [theirs] })));
      const shared = await store('shared-imported', { retentionPeriod: 30 });
      const started = await lakeCall(app, 'startImport', { destinations: [shared], importSource: source('shared-logs') }, mgmt);
      expect((await app.services.lakeStorage.imports.runImport(started.importId)).status).toBe('COMPLETED');
      expect(await lakeEventIds(app, shared)).toEqual(new Set([own.eventID, unattributed.eventID]));
    });

    it("keeps out a record larger than the store's MaxEventSize: 300 KB is refused by a Standard store, imported by a Large one", async () => {
      await insertBucket(app.db, objects, mgmtId, 'big-logs');
      const big = sampleEvent({ recipientAccountId: mgmtId, requestParameters: { blob: 'x'.repeat(300 * 1024) } }, 2 * 86_400);
      const small = sampleEvent({ recipientAccountId: mgmtId }, 2 * 86_400);
      await put('big-logs', 'us-east-1', new Date(now - day), [big, small]);
      const run = async (name: string, maxEventSize?: 'Large') => {
        const arn = await store(name, { retentionPeriod: 30 });
        if (maxEventSize) {
          const set = await app.gql(
            'mutation($input: PutEventConfigurationInput!) { putEventConfiguration(input: $input) { maxEventSize } }',
            { input: { eventDataStore: arn, maxEventSize } },
            { token: mgmt.token },
          );
          expect(set.data?.putEventConfiguration).toEqual({ maxEventSize });
        }
        const started = await lakeCall(app, 'startImport', { destinations: [arn], importSource: source('big-logs') }, mgmt);
        expect((await app.services.lakeStorage.imports.runImport(started.importId)).status).toBe('COMPLETED');
        return lakeEventIds(app, arn);
      };
      expect(await run('big-standard')).toEqual(new Set([small.eventID]));
      expect(await run('big-large', 'Large')).toEqual(new Set([big.eventID, small.eventID]));
    });
  });
});
