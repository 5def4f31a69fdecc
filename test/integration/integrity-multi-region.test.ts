import { sampleEvent } from '../helpers/events';
import { recordAs, waitFor } from '../helpers/delivery';
import { LIST_PUBLIC_KEYS, trailDigests, VALIDATE } from '../helpers/integrity';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket, type Session, trailCall } from '../helpers/trails';
import { isoSeconds } from '../../src/integrity/digest-time';
import { startWorkers } from '../../workers/main';

jest.setTimeout(180_000);

/**
 * A multi-region trail: one chain per source region, each under CloudTrail-Digest/<region>/ with
 * the home region in the name, signed with that region's key; validateLogs walks the request's region.
 */
describe('integrity: multi-region trails', () => {
  let app: TestApp;
  let admin: Session;
  let workers: { close(): Promise<void> };
  let account: string;
  let trailArn: string;

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', DIGEST_INTERVAL_SECONDS: '4', LOG_LEVEL: 'error' });
    admin = { token: await app.login(app.admin), region: 'us-east-1' };
    account = app.admin.accountId;
    await createTrailBucket(app, admin, 'multi-region-digests', [account]);
    trailArn = (
      await trailCall(
        app,
        'createTrail',
        { name: 'everywhere', s3BucketName: 'multi-region-digests', isMultiRegionTrail: true, enableLogFileValidation: true },
        admin,
      )
    ).trailARN;
    workers = await startWorkers(app.services);
    await trailCall(app, 'startLogging', { name: 'everywhere' }, admin);
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  it('digests per source region, signed with that region’s key, validated from that region', async () => {
    const startTime = isoSeconds(new Date(Date.now() - 60_000));
    await recordAs(app.services, account, app.admin.organizationId, [
      sampleEvent({ awsRegion: 'eu-west-1' }, 3),
      sampleEvent({ awsRegion: 'us-east-1' }, 3),
    ]);
    const trailId = (await app.db.pool.query(`SELECT id FROM trails WHERE trail_arn = $1`, [trailArn])).rows[0].id;
    await waitFor('eu-west-1 and us-east-1 digests listing files', async () => {
      const { rows } = await app.db.pool.query(
        `SELECT count(DISTINCT region)::int AS n FROM digests WHERE trail_id = $1 AND log_file_count > 0`,
        [trailId],
      );
      return rows[0].n === 2;
    });
    const chains = await app.db.pool.query(`SELECT count(*)::int AS n FROM digest_chains WHERE trail_id = $1`, [trailId]);
    expect(chains.rows[0].n).toBeGreaterThan(20); // every catalog region

    const digests = await trailDigests(app, trailId);
    const eu = digests.filter((d) => d.key.includes('/CloudTrail-Digest/eu-west-1/'));
    expect(eu.length).toBeGreaterThan(0);
    for (const d of eu)
      expect(d.key).toMatch(new RegExp(`/${account}_CloudTrail-Digest_eu-west-1_everywhere_us-east-1_\\d{8}T\\d{6}Z\\.json\\.gz$`));

    const keysOf = async (region: string) =>
      (
        (await app.gql(LIST_PUBLIC_KEYS, {}, { token: admin.token, region })).data.listPublicKeys.publicKeyList as Array<{
          fingerprint: string;
        }>
      ).map((k) => k.fingerprint);
    const euKeys = await keysOf('eu-west-1');
    const usKeys = await keysOf('us-east-1');
    for (const d of eu) {
      expect(euKeys).toContain(d.json.digestPublicKeyFingerprint);
      expect(usKeys).not.toContain(d.json.digestPublicKeyFingerprint);
    }

    const fromEu = (await app.gql(VALIDATE, { input: { trailArn, startTime } }, { token: admin.token, region: 'eu-west-1' })).data
      .validateLogs;
    expect(fromEu.valid).toBe(true);
    const euKeysValidated = fromEu.results.filter((r: any) => r.kind === 'DIGEST').map((r: any) => r.s3Object);
    expect(euKeysValidated.length).toBeGreaterThan(0);
    expect(euKeysValidated.every((k: string) => k.includes('/CloudTrail-Digest/eu-west-1/'))).toBe(true);
    const logs = fromEu.results.filter((r: any) => r.kind === 'LOG').map((r: any) => r.s3Object);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((k: string) => k.includes('/CloudTrail/eu-west-1/'))).toBe(true);
  });
});
