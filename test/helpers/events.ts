import { randomUUID } from 'node:crypto';
import { principalRepository } from '../../src/principals/principal.repository';
import type { TestApp } from './test-app';

export const RECORD = `mutation($input: RecordEventsInput!) { recordEvents(input: $input) { successful { id eventId } failed { id errorCode errorMessage } } }`;
export const LOOKUP = `query($input: LookupEventsInput, $first: Int, $after: String) {
  lookupEvents(input: $input, first: $first, after: $after) {
    edges { node { eventId eventName eventTime eventSource username readOnly accessKeyId resources { resourceType resourceName } cloudTrailEvent } cursor }
    pageInfo { hasNextPage endCursor } } }`;

/** A valid CloudTrail record; `over` wins. eventTime defaults to `secondsAgo` before now. */
export function sampleEvent(over: Record<string, unknown> = {}, secondsAgo = 60): Record<string, unknown> {
  return {
    eventTime: new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: 'us-east-1',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLE',
      userName: 'alice',
    },
    sourceIPAddress: '203.0.113.7',
    readOnly: false,
    eventID: randomUUID(),
    ...over,
  };
}

/** A user with only the given inline-free managed policy (or none), logged in. */
export async function limitedUser(
  app: TestApp,
  userName: string,
  policyArn?: string,
): Promise<{ token: string; accessKeyId: string; arn: string }> {
  const { key, secretAccessKey, arn } = await app.db.dataSource.transaction(async (m) => {
    const user = await principalRepository.insertUser(m, app.admin.accountId, userName);
    if (policyArn) await principalRepository.attachManagedPolicy(m, app.admin.accountId, 'user', user.id, policyArn);
    const created = await principalRepository.insertAccessKey(m, app.admin.accountId, user.id, app.services.accessKeySecrets);
    return { ...created, arn: user.arn };
  });
  const token = await app.login({ accessKeyId: key.accessKeyId, secretAccessKey });
  return { token, accessKeyId: key.accessKeyId, arn };
}

/** Events of the admin's account straight from the table (as the owner), newest first. */
export async function storedRecords(app: TestApp, where = 'true', params: unknown[] = []): Promise<any[]> {
  const { rows } = await app.db.pool.query(`SELECT record FROM events WHERE ${where} ORDER BY event_time DESC, event_id DESC`, params);
  return rows.map((r) => JSON.parse(r.record));
}
