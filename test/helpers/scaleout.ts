import { RECORD, sampleEvent } from './events';
import { countById, deliveredFiles, waitFor } from './delivery';
import { VALIDATE } from './integrity';
import type { TestApp } from './test-app';
import { createTrailBucket, type Session, trailCall } from './trails';

/**
 * The trails exactly-once flow of the scale-out tests: one trail with log file validation and one
 * Lake event data store; events recorded through the API, some batches twice; then each event
 * counted in the trail's log files and in the store, and the digest chain validated.
 */
export interface AuditedAccount {
  session: Session;
  trailArn: string;
  trailId: string;
  storeId: string;
  startTime: string;
}

export async function createAuditedAccount(app: TestApp, bucket: string): Promise<AuditedAccount> {
  const session: Session = { token: await app.login(app.admin), region: 'us-east-1' };
  const startTime = new Date(Date.now() - 60_000).toISOString();
  await createTrailBucket(app, session, bucket, [app.admin.accountId]);
  const trail = await trailCall(app, 'createTrail', { name: 'scaled', s3BucketName: bucket, enableLogFileValidation: true }, session);
  await trailCall(app, 'startLogging', { name: 'scaled' }, session);
  const trailId = (await app.db.pool.query(`SELECT id FROM trails WHERE trail_arn = $1`, [trail.trailARN])).rows[0].id as string;
  const store = await app.gql(
    'mutation($input: CreateEventDataStoreInput!) { createEventDataStore(input: $input) { eventDataStoreArn } }',
    { input: { name: 'scaled-store', retentionPeriod: 7, terminationProtectionEnabled: false } },
    { token: session.token },
  );
  if (store.errors) throw new Error(JSON.stringify(store.errors));
  const storeId = String(store.data.createEventDataStore.eventDataStoreArn).split('/').pop()!;
  return { session, trailArn: trail.trailARN, trailId, storeId, startTime };
}

/** Records `batches` batches of `size` events through recordEvents; every other batch is sent twice. Returns the event ids. */
export async function recordBatches(app: TestApp, session: Session, batches: number, size: number): Promise<string[]> {
  const ids: string[] = [];
  for (let b = 0; b < batches; b++) {
    const events = Array.from({ length: size }, () => sampleEvent({ eventName: 'ScaledOut', awsRegion: 'us-east-1' }, 5));
    for (let send = 0; send < (b % 2 === 0 ? 2 : 1); send++) {
      const res = await app.gql(RECORD, { input: { events } }, { token: session.token });
      if (res.errors || res.data.recordEvents.failed.length) throw new Error(JSON.stringify(res.errors ?? res.data.recordEvents.failed));
    }
    ids.push(...events.map((e) => e.eventID as string));
  }
  return ids;
}

/** How often each id is in the trail's delivered log files and in the store, once every id is delivered. */
export async function deliveredCounts(
  app: TestApp,
  a: AuditedAccount,
  ids: string[],
): Promise<{ trail: Record<string, number>; store: Record<string, number> }> {
  const trail = await waitFor(
    'every event in a delivered log file',
    async () => {
      const counts = countById(await deliveredFiles(app.db, app.services.storage.objects, a.trailId));
      return ids.every((id) => counts.has(id)) ? counts : null;
    },
    120_000,
  );
  const { rows } = await app.db.pool.query(
    `SELECT event_id::text AS id, count(*)::int AS n FROM lake_events WHERE event_data_store_id = $1 AND event_id = ANY($2::text[]) GROUP BY 1`,
    [a.storeId, ids],
  );
  const store = new Map(rows.map((r) => [r.id as string, r.n as number]));
  const pick = (m: Map<string, number>) => Object.fromEntries(ids.map((id) => [id, m.get(id) ?? 0]));
  return { trail: pick(trail), store: pick(store) };
}

/** Stops logging (a final digest), waits for the digest chains to settle, and runs validateLogs from the start. */
export async function validateChain(app: TestApp, a: AuditedAccount): Promise<any> {
  await trailCall(app, 'stopLogging', { name: 'scaled' }, a.session);
  await waitFor(
    'digest chains to settle',
    async () => {
      const { rows } = await app.db.pool.query(
        `SELECT count(*)::int AS busy FROM digest_chains WHERE trail_id = $1 AND (active OR stop_at IS NOT NULL OR resume_at IS NOT NULL)`,
        [a.trailId],
      );
      const undigested = await app.db.pool.query(
        `SELECT 1 FROM trail_log_files f WHERE f.trail_id = $1 AND f.state = 'delivered' AND f.kind = 'CloudTrail'
           AND NOT EXISTS (SELECT 1 FROM digest_log_files d WHERE d.log_file_id = f.id) LIMIT 1`,
        [a.trailId],
      );
      return rows[0].busy === 0 && undigested.rowCount === 0;
    },
    120_000,
  );
  const res = await app.gql(
    VALIDATE,
    { input: { trailArn: a.trailArn, startTime: a.startTime } },
    { token: a.session.token, region: 'us-east-1' },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.validateLogs;
}
