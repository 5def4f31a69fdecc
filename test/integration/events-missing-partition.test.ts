import { partitionName } from '../../src/events/event.repository';
import { parseIngestChunk } from '../../src/events/ingest-parser';
import { recordAs } from '../helpers/delivery';
import { sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Partitions are made ahead by the retention job; when it has not run (a long-stopped worker) a
 * write that meets no partition makes the missing ones and is retried, on both write paths.
 */
describe('writing events into a week with no partition', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  const dropPartitionOf = async (time: Date) => {
    const name = partitionName(time);
    await app.db.pool.query(`ALTER TABLE events DETACH PARTITION ${name}`);
    await app.db.pool.query(`DROP TABLE ${name}`);
  };
  const countIn = async (time: Date) => Number((await app.db.pool.query(`SELECT count(*) FROM ${partitionName(time)}`)).rows[0].count);

  it('makes the partition and stores the rows, through write and through writeCopy', async () => {
    const scope = { accountId: app.admin.accountId, organizationId: app.admin.organizationId };
    const now = new Date();
    await dropPartitionOf(now);
    await recordAs(app.services, scope.accountId, scope.organizationId, [sampleEvent({ eventName: 'ViaWrite' })]);
    expect(await countIn(now)).toBe(1);

    await dropPartitionOf(now);
    const body = Buffer.from(
      [sampleEvent({ eventName: 'ViaCopy' }), sampleEvent({ eventName: 'ViaCopy' })].map((e) => JSON.stringify(e)).join('\n'),
    );
    const [part] = parseIngestChunk(body, { accountId: scope.accountId, now: Date.now(), retentionDays: 90, maxRowsPerPart: 1000 }).parts;
    const written = await app.services.eventWriter.writeCopy(
      scope,
      { copyText: [Buffer.from(part.copyText)], rows: part.rows, minTime: part.minTime, maxTime: part.maxTime },
      'ingest',
    );
    expect(written).toEqual({ inserted: 2, duplicates: 0 });
    expect(await countIn(now)).toBe(2);
  });
});
