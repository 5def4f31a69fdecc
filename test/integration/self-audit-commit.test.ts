import { SelfAuditRecorder } from '../../src/events/self-audit.recorder';
import type { EventRow } from '../../src/events/event-record';
import type { EventSourceLabel, WriteResult } from '../../src/events/event-writer';
import type { TenantScope } from '../../src/common/request-context';
import { startTestApp, type TestApp } from '../helpers/test-app';

describe('self-audit commit modes (SELF_AUDIT_READ_COMMIT)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('relaxed service connections do not wait for the WAL flush; the others do', async () => {
    const show = (relaxedCommit: boolean) =>
      app.db.asService(async (c) => (await c.query('SHOW synchronous_commit')).rows[0].synchronous_commit, {
        transaction: false,
        relaxedCommit,
      });
    expect(await show(true)).toBe('off');
    expect(await show(false)).toBe('on');
  });

  it('relaxes only batches made of read-only calls, and only when configured to', async () => {
    const seen: Array<{ readOnly: Array<boolean | null>; relaxed: boolean }> = [];
    const writer = app.services.eventWriter;
    const observing = {
      write: (
        scope: TenantScope,
        rows: EventRow[],
        source: EventSourceLabel,
        opts: { relaxedCommit?: boolean } = {},
      ): Promise<WriteResult> => {
        seen.push({ readOnly: rows.map((r) => r.readOnly), relaxed: opts.relaxedCommit === true });
        return writer.write(scope, rows, source, opts);
      },
    } as unknown as ConstructorParameters<typeof SelfAuditRecorder>[0];
    const identity = {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${app.admin.accountId}:user/admin`,
      accountId: app.admin.accountId,
      accessKeyId: 'AKIAEXAMPLE',
      userName: 'admin',
    };
    const call = (readOnly: boolean) => ({
      meta: { region: 'us-east-1', requestId: 'r', sourceIp: '127.0.0.1', userAgent: 'jest', host: null },
      subject: { accountId: app.admin.accountId, organizationId: app.admin.organizationId, identity },
      eventTime: new Date(),
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: readOnly ? 'LookupEvents' : 'CreateTrail',
      readOnly,
      managementEvent: true,
      requestParameters: null,
      responseElements: null,
    });
    const relaxed = new SelfAuditRecorder(observing, true);
    await relaxed.recordApiCalls([call(true) as any, call(true) as any]);
    await relaxed.recordApiCalls([call(true) as any, call(false) as any]);
    await new SelfAuditRecorder(observing, false).recordApiCalls([call(true) as any]);
    expect(seen).toEqual([
      { readOnly: [true, true], relaxed: true },
      { readOnly: [true, false], relaxed: false },
      { readOnly: [true], relaxed: false },
    ]);
    // Relaxed or not, every record is stored.
    const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE account_id = $1 AND user_agent = 'jest'`, [
      app.admin.accountId,
    ]);
    expect(rows[0].n).toBe(5);
  });
});
