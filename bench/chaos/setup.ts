import fs from 'node:fs';
import path from 'node:path';
import { gql } from './client';
import type { Cluster } from './cluster';

/** What a chaos run delivers to: one trail (log file validation on), one Lake store, one webhook rule. */
export interface Destinations {
  token: string;
  accountId: string;
  region: string;
  bucket: string;
  trailName: string;
  trailArn: string;
  storeId: string;
  ruleName: string;
}

/** The event source of every chaos event; the rule's pattern selects exactly these. */
export const CHAOS_EVENT_SOURCE = 'chaos.amazonaws.com';

/** CloudTrail's bucket policy for the account's trail (spec §5.3). */
function bucketPolicy(bucket: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Sid: 'AWSCloudTrailWrite20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/AWSLogs/${accountId}/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ],
  });
}

export async function createDestinations(cluster: Cluster, receiverUrl: string): Promise<Destinations> {
  const creds = JSON.parse(fs.readFileSync(path.join(cluster.dataDir, 'bootstrap-credentials.json'), 'utf8')) as {
    accessKeyId: string;
    secretAccessKey: string;
    accountId: string;
  };
  const session = await gql(cluster.base, null, 'mutation($i: CreateSessionInput!) { createSession(input: $i) { token } }', {
    i: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, durationSeconds: 43200 },
  });
  const token = session.createSession.token as string;
  const call = (query: string, input: Record<string, unknown>) => gql(cluster.base, token, query, { input });
  const bucket = `chaos-trail-${creds.accountId}`;
  const trailName = 'chaos-trail';
  await call('mutation($input: BucketNameInput!) { createBucket(input: $input) { bucketName } }', { bucketName: bucket });
  await call('mutation($input: PutBucketPolicyInput!) { putBucketPolicy(input: $input) { bucketName } }', {
    bucketName: bucket,
    policy: bucketPolicy(bucket, creds.accountId),
  });
  const trail = await call('mutation($input: CreateTrailInput!) { createTrail(input: $input) { trailARN homeRegion } }', {
    name: trailName,
    s3BucketName: bucket,
    enableLogFileValidation: true,
  });
  await call('mutation($input: TrailNameInput!) { startLogging(input: $input) }', { name: trailName });
  const store = await call('mutation($input: CreateEventDataStoreInput!) { createEventDataStore(input: $input) { eventDataStoreArn } }', {
    name: 'chaos-store',
    retentionPeriod: 7,
    terminationProtectionEnabled: false,
  });
  const ruleName = 'chaos-webhook';
  await call('mutation($input: PutEventRuleInput!) { putEventRule(input: $input) { arn } }', {
    name: ruleName,
    eventPattern: JSON.stringify({ source: ['aws.chaos'] }),
    webhookUrl: receiverUrl,
  });
  return {
    token,
    accountId: creds.accountId,
    region: trail.createTrail.homeRegion,
    bucket,
    trailName,
    trailArn: trail.createTrail.trailARN,
    storeId: String(store.createEventDataStore.eventDataStoreArn).split('/').pop()!,
    ruleName,
  };
}
