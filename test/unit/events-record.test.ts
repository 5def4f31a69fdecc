import { normaliseRecord } from '../../src/events/event-record';
import { sampleEvent } from '../helpers/events';

const opts = { accountId: '111122223333', now: new Date(), retentionDays: 90 };
const code = (raw: unknown) => {
  const r = normaliseRecord(raw, opts);
  return 'error' in r ? r.error.errorCode : 'ok';
};

describe('normaliseRecord per-event errors', () => {
  it('accepts a valid record and derives its columns', () => {
    const r = normaliseRecord(sampleEvent({ resources: [{ ARN: 'arn:aws:s3:::b', type: 'AWS::S3::Bucket' }] }), opts);
    if (!('row' in r)) throw new Error(JSON.stringify(r));
    expect(r.row).toMatchObject({
      username: 'alice',
      accessKeyId: 'AKIAEXAMPLE',
      resourceTypes: ['AWS::S3::Bucket'],
      resourceNames: ['arn:aws:s3:::b'],
      readOnly: false,
      managementEvent: true,
    });
    expect(JSON.parse(r.row.record)).toMatchObject({ eventVersion: '1.11', recipientAccountId: '111122223333' });
  });
  it.each([
    ['not an object', [1], 'InvalidData'],
    ['missing eventTime', { ...sampleEvent(), eventTime: undefined }, 'FieldNotFound'],
    ['missing eventSource', { ...sampleEvent(), eventSource: undefined }, 'FieldNotFound'],
    ['missing eventName', { ...sampleEvent(), eventName: '' }, 'FieldNotFound'],
    ['missing awsRegion', { ...sampleEvent(), awsRegion: undefined }, 'FieldNotFound'],
    ['unknown region', sampleEvent({ awsRegion: 'xx-nowhere-1' }), 'InvalidData'],
    ['non-UTC time', sampleEvent({ eventTime: '2024-01-01T00:00:00+02:00' }), 'InvalidData'],
    ['garbage time', sampleEvent({ eventTime: 'yesterday' }), 'InvalidData'],
    ['too old', sampleEvent({}, 91 * 86400), 'InvalidData'],
    ['too far ahead', sampleEvent({}, -2 * 86400), 'InvalidData'],
    ['bad eventID', sampleEvent({ eventID: 'abc' }), 'InvalidData'],
    ['string readOnly', sampleEvent({ readOnly: 'true' }), 'InvalidData'],
    ['array userIdentity', sampleEvent({ userIdentity: [] }), 'InvalidData'],
    ['numeric eventName', sampleEvent({ eventName: 5 }), 'InvalidData'],
    ['resources not array', sampleEvent({ resources: {} }), 'InvalidData'],
    ['foreign recipient', sampleEvent({ recipientAccountId: '999999999999' }), 'InvalidRecipient'],
    ['event over 256 KB', sampleEvent({ requestParameters: { x: 'a'.repeat(262_144) } }), 'FieldTooLong'],
    ['insight without details', sampleEvent({ eventCategory: 'Insight' }), 'FieldNotFound'],
    ['unknown category', sampleEvent({ eventCategory: 'Other' }), 'InvalidData'],
    ['NUL inside the record', sampleEvent({ requestParameters: { v: 'a\u0000b' } }), 'InvalidData'],
    ['lone surrogate inside the record', sampleEvent({ requestParameters: { v: 'a\ud800' } }), 'InvalidData'],
  ])('%s → %s', (_name, raw, expected) => {
    expect(code(raw)).toBe(expected);
  });
});

describe('normaliseRecord keeps records as CloudTrail keeps them', () => {
  const stored = (raw: Record<string, unknown>) => {
    const r = normaliseRecord(raw, opts);
    if (!('row' in r)) throw new Error(JSON.stringify(r));
    return { row: r.row, record: JSON.parse(r.row.record) as Record<string, unknown> };
  };
  const oldRecord = (fields: Record<string, unknown>) => {
    const raw: Record<string, unknown> = { ...sampleEvent(), ...fields };
    for (const f of ['eventCategory', 'managementEvent', 'eventType', 'eventID', 'recipientAccountId']) if (!(f in fields)) delete raw[f];
    return raw;
  };

  it('truncates an errorMessage over 1 KB at a character boundary instead of refusing the event', () => {
    // A real EC2 RunInstances failure carries an encoded authorization message far over 1 KB.
    const { row, record } = stored(sampleEvent({ errorCode: 'Client.UnauthorizedOperation', errorMessage: 'é'.repeat(600) + 'tail' }));
    expect(Buffer.byteLength(record.errorMessage as string)).toBe(1024);
    expect(record.errorMessage).toBe('é'.repeat(512));
    expect(row.errorCode).toBe('Client.UnauthorizedOperation');
  });
  it('truncates userAgent and keeps the column equal to the record', () => {
    const { row, record } = stored(sampleEvent({ userAgent: 'a'.repeat(5000) }));
    expect(record.userAgent).toBe('a'.repeat(1024));
    expect(row.userAgent).toBe('a'.repeat(1024));
  });
  it('makes a pre-1.08 data event (managementEvent false, no eventCategory) a Data event', () => {
    const { row, record } = stored(
      oldRecord({
        eventVersion: '1.07',
        eventSource: 's3.amazonaws.com',
        eventName: 'CopyObject',
        managementEvent: false,
        eventType: 'AwsApiCall',
      }),
    );
    expect(row.eventCategory).toBe('Data');
    expect(row.managementEvent).toBe(false);
    expect(record).toMatchObject({ eventCategory: 'Data', managementEvent: false });
  });
  it.each([
    [
      'an S3 object API before managementEvent existed',
      { eventVersion: '1.05', eventSource: 's3.amazonaws.com', eventName: 'GetObject' },
      'Data',
    ],
    ['a Lambda Invoke', { eventVersion: '1.05', eventSource: 'lambda.amazonaws.com', eventName: 'Invoke' }, 'Data'],
    ['a DynamoDB item read', { eventVersion: '1.05', eventSource: 'dynamodb.amazonaws.com', eventName: 'GetItem' }, 'Data'],
    [
      'an S3 object as resource',
      {
        eventVersion: '1.05',
        eventSource: 's3.amazonaws.com',
        eventName: 'SomeNewObjectApi',
        resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::b/k' }],
      },
      'Data',
    ],
    ['a bucket policy change', { eventVersion: '1.05', eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' }, 'Management'],
    [
      'managementEvent true',
      { eventVersion: '1.06', eventSource: 's3.amazonaws.com', eventName: 'GetObject', managementEvent: true },
      'Management',
    ],
    [
      'a VPC endpoint event',
      { eventVersion: '1.11', eventType: 'AwsVpceEvent', eventSource: 's3.amazonaws.com', eventName: 'GetObject' },
      'NetworkActivity',
    ],
  ])('derives the category of %s', (_name, fields, category) => {
    expect(stored(oldRecord(fields)).row.eventCategory).toBe(category);
  });
  it('accepts resources: null like requestParameters: null', () => {
    const { row, record } = stored(sampleEvent({ resources: null, requestParameters: null }));
    expect(row.resourceTypes).toEqual([]);
    expect(record.resources).toBeNull();
  });
  it("fills in only the fields the record's eventVersion has", () => {
    const v100 = stored(oldRecord({ eventVersion: '1.0' })).record;
    for (const f of ['eventID', 'eventType', 'recipientAccountId', 'managementEvent', 'eventCategory']) expect(v100).not.toHaveProperty(f);
    const v105 = stored(oldRecord({ eventVersion: '1.05' })).record;
    expect(v105).toMatchObject({ eventType: 'AwsApiCall', recipientAccountId: opts.accountId });
    expect(v105).not.toHaveProperty('managementEvent');
    expect(v105).not.toHaveProperty('eventCategory');
    const v106 = stored(oldRecord({ eventVersion: '1.06' })).record;
    expect(v106).toMatchObject({ managementEvent: true });
    expect(v106).not.toHaveProperty('eventCategory');
    const current = stored(oldRecord({})).record;
    expect(current).toMatchObject({
      eventVersion: '1.11',
      eventType: 'AwsApiCall',
      eventCategory: 'Management',
      managementEvent: true,
      recipientAccountId: opts.accountId,
    });
    expect(current.eventID).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('does not add managementEvent to event types that never carry it', () => {
    const r = stored(
      oldRecord({
        eventVersion: '1.08',
        eventType: 'AwsCloudTrailInsight',
        eventCategory: 'Insight',
        insightDetails: { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' },
      }),
    ).record;
    expect(r).not.toHaveProperty('managementEvent');
  });
});
