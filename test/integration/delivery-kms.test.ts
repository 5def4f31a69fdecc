import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sampleEvent } from '../helpers/events';
import { recordAs, waitFor } from '../helpers/delivery';
import { createUserSession, policyJson } from '../helpers/iam-ops';
import { kms, kmsFails, trailKeyPolicy } from '../helpers/kms';
import { type Session, createTrailBucket, trailCall, trailFails } from '../helpers/trails';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import { startWorkers } from '../../workers/main';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { cloudTrailBucketPolicy } from '../helpers/trails';
import { startS3Server, type TestS3Server } from '../helpers/s3-server';

jest.setTimeout(180_000);

const GET_OBJECT =
  'query($input: GetObjectInput!) { getObject(input: $input) { key body contentEncoding serverSideEncryption ssekmsKeyId metadata { key value } } }';

describe.each(['fs', 's3'] as const)('trails with a KMS key: SSE-KMS log files (%s backend)', (backend) => {
  let s3: TestS3Server | null = null;
  let app: TestApp;
  let store: ObjectStore;
  let admin: Session;
  let account: string;
  let workers: { close(): Promise<void> } | null = null;
  let key: { keyId: string; arn: string };
  let trailId: string;
  const ids: string[] = [];

  async function newKey(policy?: string): Promise<{ keyId: string; arn: string }> {
    return (await kms(app, 'createKey', policy ? { policy } : {}, admin.token)).keyMetadata;
  }

  async function status() {
    return trailCall(app, 'getTrailStatus', { name: 'enc' }, admin);
  }

  /** Delivered log files of the trail, decrypted by the service, each with its records. */
  async function delivered(): Promise<Array<{ key: string; records: any[] }>> {
    const { rows } = await app.db.pool.query(
      `SELECT bucket, object_key, event_count FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered' ORDER BY created_at`,
      [trailId],
    );
    const out = [];
    for (const r of rows) {
      const obj = await app.services.storage.readServiceObject(r.bucket, r.object_key, { kms: 'decrypt' });
      const records = JSON.parse(gunzipSync(obj!.body).toString('utf8')).Records;
      expect(records.length).toBe(r.event_count);
      out.push({ key: r.object_key, records });
    }
    return out;
  }

  function countOf(files: Array<{ records: any[] }>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const f of files) for (const rec of f.records) counts.set(rec.eventID, (counts.get(rec.eventID) ?? 0) + 1);
    return counts;
  }

  async function record(n: number): Promise<void> {
    const records = Array.from({ length: n }, (_, i) => sampleEvent({ awsRegion: 'us-east-1', eventName: 'RunInstances' }, 5 + (i % 20)));
    for (const r of records) ids.push(r.eventID as string);
    await recordAs(app.services, account, app.admin.organizationId, records);
  }

  /** Waits until every recorded event is in a delivered file; returns how often each appears. */
  async function allDelivered(): Promise<Map<string, number>> {
    return waitFor('every event delivered', async () => {
      const counts = countOf(await delivered());
      return ids.every((id) => counts.has(id)) ? counts : null;
    });
  }

  async function pending(): Promise<number> {
    const { rows } = await app.db.pool.query(
      `SELECT count(*)::int AS n FROM trail_pending_events WHERE trail_id = $1 AND event_id = ANY($2::uuid[])`,
      [trailId, ids],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    const env: Record<string, string> = { DELIVERY_INTERVAL_SECONDS: '1', LOG_LEVEL: 'error' };
    if (backend === 's3') {
      s3 = await startS3Server();
      Object.assign(env, {
        STORAGE_BACKEND: 's3',
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
        S3_BUCKET_PREFIX: 'ot-',
      });
    }
    app = await startTestApp(env);
    store = createObjectStore(app.config);
    admin = { token: await app.login(app.admin) };
    account = app.admin.accountId;
    await createTrailBucket(app, admin, 'kms-logs', [account]);
  });
  afterAll(async () => {
    await workers?.close();
    await app?.close();
    await s3?.stop();
  });

  it('createTrail/updateTrail check the key as CloudTrail does', async () => {
    const base = { name: 'enc', s3BucketName: 'kms-logs' };
    const defaultPolicyKey = await newKey();
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: 'not a key' }, admin, 'InvalidKmsKeyIdException');
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: '11111111-2222-3333-4444-555555555555' }, admin, 'KmsKeyNotFoundException');
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: 'alias/not-here' }, admin, 'KmsKeyNotFoundException');
    const otherRegion = (await kms(app, 'createKey', { policy: trailKeyPolicy(account) }, admin.token, 'us-west-2')).keyMetadata;
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: otherRegion.arn }, admin, 'KmsKeyNotFoundException');
    // The default key policy does not let CloudTrail use the key.
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: defaultPolicyKey.keyId }, admin, 'InsufficientEncryptionPolicyException');
    const disabled = await newKey(trailKeyPolicy(account));
    await kms(app, 'disableKey', { keyId: disabled.keyId }, admin.token);
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: disabled.arn }, admin, 'KmsException');
    await trailFails(app, 'getTrail', { name: 'enc' }, admin, 'TrailNotFoundException');

    key = await newKey(trailKeyPolicy(account));
    // An alias is resolved: the trail stores and returns the key ARN (spec §7).
    await kms(app, 'createAlias', { aliasName: 'alias/cloudtrail', targetKeyId: key.keyId }, admin.token);
    const created = await trailCall(app, 'createTrail', { ...base, kmsKeyId: 'alias/cloudtrail' }, admin);
    expect(created.kmsKeyId).toBe(key.arn);
    await trailFails(app, 'updateTrail', { name: 'enc', kmsKeyId: defaultPolicyKey.arn }, admin, 'InsufficientEncryptionPolicyException');
    expect((await trailCall(app, 'getTrail', { name: 'enc' }, admin)).kmsKeyId).toBe(key.arn);
    expect((await trailCall(app, 'updateTrail', { name: 'enc', kmsKeyId: '' }, admin)).kmsKeyId).toBeNull();
    expect((await trailCall(app, 'updateTrail', { name: 'enc', kmsKeyId: key.arn }, admin)).kmsKeyId).toBe(key.arn);
    await trailCall(app, 'startLogging', { name: 'enc' }, admin);
    trailId = (await app.db.pool.query(`SELECT id FROM trails WHERE name = 'enc'`)).rows[0].id;
  });

  it('delivered log files are ciphertext in the bucket and on disk, with S3-style SSE-KMS metadata', async () => {
    workers = await startWorkers(app.services);
    await record(40);
    await allDelivered();
    const { rows } = await app.db.pool.query(`SELECT object_key FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered'`, [
      trailId,
    ]);
    expect(rows.length).toBeGreaterThan(0);
    for (const { object_key: objectKey } of rows) {
      // What the backend returns after its own SSE: still the SSE-KMS ciphertext.
      const stored = (await store.getObject('kms-logs', objectKey))!;
      expect(stored.metadata).toMatchObject({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': key.arn,
      });
      expect(JSON.parse(Buffer.from(stored.metadata['x-amz-server-side-encryption-context'], 'base64').toString())).toEqual({
        'aws:cloudtrail:arn': `arn:aws:cloudtrail:us-east-1:${account}:trail/enc`,
      });
      expect(stored.body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
      expect(() => gunzipSync(stored.body)).toThrow();
      if (backend === 'fs') {
        const raw = fs.readFileSync(path.join(app.config.dataDir, 'objects', 'kms-logs', ...objectKey.split('/')));
        for (const fragment of ['Records', 'RunInstances', 'eventSource']) expect(raw.toString('latin1')).not.toContain(fragment);
      }
      // The raw service read gives the ciphertext too; only the explicit mode decrypts.
      expect((await app.services.storage.readServiceObject('kms-logs', objectKey))!.body.equals(stored.body)).toBe(true);
    }
    const counts = countOf(await delivered());
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  });

  it('getObject decrypts for a principal allowed kms:Decrypt (IAM and key policy); others get AccessDenied', async () => {
    const { rows } = await app.db.pool.query(`SELECT object_key FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered' LIMIT 1`, [
      trailId,
    ]);
    const input = { bucketName: 'kms-logs', key: rows[0].object_key };
    const asAdmin = await app.gql(GET_OBJECT, { input }, { token: admin.token });
    expect(asAdmin.errors).toBeUndefined();
    const body = JSON.parse(gunzipSync(Buffer.from(asAdmin.data.getObject.body, 'base64')).toString('utf8'));
    expect(body.Records.length).toBeGreaterThan(0);
    const meta = Object.fromEntries(asAdmin.data.getObject.metadata.map((m: { key: string; value: string }) => [m.key, m.value]));
    expect(meta['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(meta['x-opentrail-kms-data-key']).toBeUndefined();
    expect(asAdmin.data.getObject).toMatchObject({ serverSideEncryption: 'aws:kms', ssekmsKeyId: key.arn });

    // s3:GetObject alone is not enough.
    const reader = await createUserSession(app, admin.token, 'log-reader');
    await app.gql(
      'mutation($input: PutUserPolicyInput!) { putUserPolicy(input: $input) }',
      {
        input: {
          userName: 'log-reader',
          policyName: 's3-read',
          policyDocument: policyJson({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::kms-logs/*' }),
        },
      },
      { token: admin.token },
    );
    const denied = await app.gql(GET_OBJECT, { input }, { token: reader.token });
    expect(denied.errors?.[0].extensions?.code).toBe('AccessDenied');
    expect(denied.data?.getObject ?? null).toBeNull();

    await app.gql(
      'mutation($input: PutUserPolicyInput!) { putUserPolicy(input: $input) }',
      {
        input: {
          userName: 'log-reader',
          policyName: 'kms-decrypt',
          policyDocument: policyJson({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.arn }),
        },
      },
      { token: admin.token },
    );
    const allowed = await app.gql(GET_OBJECT, { input }, { token: reader.token });
    expect(allowed.errors).toBeUndefined();
    expect(Buffer.from(allowed.data.getObject.body, 'base64').equals(Buffer.from(asAdmin.data.getObject.body, 'base64'))).toBe(true);

    // A key policy whose root statement no longer covers kms:Decrypt: IAM grants no longer count.
    await kms(app, 'putKeyPolicy', { keyId: key.keyId, policy: trailKeyPolicy(account, { NotAction: 'kms:Decrypt' }) }, admin.token);
    for (const token of [reader.token, admin.token]) {
      const res = await app.gql(GET_OBJECT, { input }, { token });
      expect(res.errors?.[0].extensions?.code).toBe('AccessDenied');
    }
    await kms(app, 'putKeyPolicy', { keyId: key.keyId, policy: trailKeyPolicy(account) }, admin.token);
    expect((await app.gql(GET_OBJECT, { input }, { token: reader.token })).errors).toBeUndefined();
  });

  it('another account reads the files only when the key policy grants it kms:Decrypt, not by the bucket policy alone', async () => {
    const credsB = await app.db.dataSource.transaction((m) =>
      createOrganizationWithAdmin(m, `KMS reader ${backend}`, `kms-reader-${backend}@example.com`),
    );
    const tokenB = await app.login(credsB);
    const bucketPolicy = JSON.parse(cloudTrailBucketPolicy('kms-logs', [account]));
    bucketPolicy.Statement.push({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${credsB.accountId}:root` },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::kms-logs/*',
    });
    await trailCall(app, 'putBucketPolicy', { bucketName: 'kms-logs', policy: JSON.stringify(bucketPolicy) }, admin);
    const { rows } = await app.db.pool.query(`SELECT object_key FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered' LIMIT 1`, [
      trailId,
    ]);
    const input = { bucketName: 'kms-logs', key: rows[0].object_key };
    expect((await app.gql(GET_OBJECT, { input }, { token: tokenB })).errors?.[0].extensions?.code).toBe('AccessDenied');
    // Nor can B manage or even see the key.
    await kmsFails(app, 'describeKey', { keyId: key.arn }, tokenB, 'NotFoundException');

    const withB = JSON.parse(trailKeyPolicy(account));
    withB.Statement.push({
      Sid: 'Reader account',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${credsB.accountId}:root` },
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    await kms(app, 'putKeyPolicy', { keyId: key.keyId, policy: JSON.stringify(withB) }, admin.token);
    const read = await app.gql(GET_OBJECT, { input }, { token: tokenB });
    expect(read.errors).toBeUndefined();
    expect(JSON.parse(gunzipSync(Buffer.from(read.data.getObject.body, 'base64')).toString()).Records.length).toBeGreaterThan(0);
    // Still not theirs to manage.
    await kmsFails(app, 'disableKey', { keyId: key.arn }, tokenB, 'NotFoundException');
    await kms(app, 'putKeyPolicy', { keyId: key.keyId, policy: trailKeyPolicy(account) }, admin.token);
    expect((await app.gql(GET_OBJECT, { input }, { token: tokenB })).errors?.[0].extensions?.code).toBe('AccessDenied');
  });

  it('a disabled key fails delivery visibly in getTrailStatus and loses nothing; enabled again, every event is delivered exactly once', async () => {
    await kms(app, 'disableKey', { keyId: key.keyId }, admin.token);
    const before = await status();
    await record(60);
    const failed = await waitFor('KMS.DisabledException', async () => {
      const s = await status();
      return s.latestDeliveryError === 'KMS.DisabledException' ? s : null;
    });
    expect(failed.latestDeliveryTime).toBe(before.latestDeliveryTime);
    await waitFor('all 60 routed and pending', async () => (await pending()) === 60);
    // Reading an existing file with the key disabled: S3's KMS.DisabledException.
    const { rows } = await app.db.pool.query(`SELECT object_key FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered' LIMIT 1`, [
      trailId,
    ]);
    const read = await app.gql(GET_OBJECT, { input: { bucketName: 'kms-logs', key: rows[0].object_key } }, { token: admin.token });
    expect(read.errors?.[0].extensions?.code).toBe('KMS.DisabledException');

    // A key policy that stops allowing CloudTrail fails delivery as well.
    await kms(app, 'enableKey', { keyId: key.keyId }, admin.token);
    await kms(
      app,
      'putKeyPolicy',
      {
        keyId: key.keyId,
        policy: policyJson({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }),
      },
      admin.token,
    );
    await record(10);
    await waitFor('KMS.AccessDeniedException', async () => (await status()).latestDeliveryError === 'KMS.AccessDeniedException');
    await waitFor('all 70 routed and pending', async () => (await pending()) === 70);

    await kms(app, 'putKeyPolicy', { keyId: key.keyId, policy: trailKeyPolicy(account) }, admin.token);
    const counts = await allDelivered();
    await waitFor('error cleared', async () => (await status()).latestDeliveryError === null);
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('a key scheduled for deletion stops delivery (KMS.KMSInvalidStateException); updateTrail kmsKeyId "" reverts new files to SSE only', async () => {
    await kms(app, 'scheduleKeyDeletion', { keyId: key.keyId, pendingWindowInDays: 7 }, admin.token);
    await record(5);
    await waitFor('KMS.KMSInvalidStateException', async () => (await status()).latestDeliveryError === 'KMS.KMSInvalidStateException');
    await waitFor('all 5 routed and pending', async () => (await pending()) === 5);
    await trailFails(app, 'updateTrail', { name: 'enc', kmsKeyId: key.arn }, admin, 'KmsException');
    await trailCall(app, 'updateTrail', { name: 'enc', kmsKeyId: '' }, admin);
    await waitFor('delivered without KMS', async () => (await pending()) === 0);
    const { rows } = await app.db.pool.query(
      `SELECT object_key FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered' ORDER BY created_at DESC LIMIT 1`,
      [trailId],
    );
    const plain = (await store.getObject('kms-logs', rows[0].object_key))!;
    expect(plain.metadata['x-amz-server-side-encryption']).toBeUndefined();
    expect(JSON.parse(gunzipSync(plain.body).toString()).Records.length).toBeGreaterThan(0);
    const viaApi = await app.gql(GET_OBJECT, { input: { bucketName: 'kms-logs', key: rows[0].object_key } }, { token: admin.token });
    expect(viaApi.data.getObject).toMatchObject({ serverSideEncryption: 'AES256', ssekmsKeyId: null });
    await kmsFails(app, 'enableKey', { keyId: key.keyId }, admin.token, 'KMSInvalidStateException');
  });
});
