import { parseIngestChunk } from '../../src/events/ingest-parser';
import { normaliseRecord, type EventRow } from '../../src/events/event-record';
import { sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Large writes stage their rows in a session-local temp table, and pooled sessions serve both
 * the service (self-audit batches) and tenants (/ingest). A staging table the service made on a
 * session used to refuse the tenant's COPY on that session later: "permission denied for table
 * events_staging" (a 500 on /ingest under load).
 */
describe('staging tables of the service and of tenants on shared pooled sessions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  it('a tenant COPY succeeds on every session where a self-audit batch was staged', async () => {
    const scope = { accountId: app.admin.accountId, organizationId: app.admin.organizationId };
    const sessions = 12; // more than the pool holds, so every pooled session stages once
    const rowsOf = (name: string, n: number): EventRow[] =>
      Array.from({ length: n }, () => {
        const result = normaliseRecord(sampleEvent({ eventName: name }), {
          accountId: scope.accountId,
          now: new Date(),
          retentionDays: 90,
        });
        if ('error' in result) throw new Error(JSON.stringify(result.error));
        return result.row;
      });
    const audited = await Promise.all(
      Array.from({ length: sessions }, () => app.services.eventWriter.write(scope, rowsOf('Audited', 100), 'self_audit')),
    );
    expect(audited.every((r) => r.inserted === 100)).toBe(true);

    const copies = await Promise.all(
      Array.from({ length: sessions }, async () => {
        const body = Buffer.from(Array.from({ length: 100 }, () => JSON.stringify(sampleEvent({ eventName: 'Ingested' }))).join('\n'));
        const [part] = parseIngestChunk(body, {
          accountId: scope.accountId,
          now: Date.now(),
          retentionDays: 90,
          maxRowsPerPart: 1000,
        }).parts;
        return app.services.eventWriter.writeCopy(
          scope,
          { copyText: [Buffer.from(part.copyText)], rows: part.rows, minTime: part.minTime, maxTime: part.maxTime },
          'ingest',
        );
      }),
    );
    expect(copies.every((r) => r.inserted === 100)).toBe(true);
    // And back: the service stages again on sessions where tenants staged.
    const again = await Promise.all(
      Array.from({ length: sessions }, () => app.services.eventWriter.write(scope, rowsOf('AuditedAgain', 100), 'self_audit')),
    );
    expect(again.every((r) => r.inserted === 100)).toBe(true);
  });
});
