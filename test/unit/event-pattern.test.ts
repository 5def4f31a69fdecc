import { compileEventPattern } from '../../src/streaming/event-pattern';
import { ruleStateAccepts, sourceOf, toEventBridgeEnvelope } from '../../src/streaming/event-envelope';

const envelope = toEventBridgeEnvelope('111122223333', {
  eventVersion: '1.11',
  eventID: '6f1f2c1e-1111-4222-8333-444455556666',
  eventTime: '2024-06-19T00:18:31Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'PutObject',
  awsRegion: 'us-east-2',
  sourceIPAddress: '10.1.2.3',
  eventType: 'AwsApiCall',
  readOnly: false,
  errorCode: null,
  userIdentity: { type: 'IAMUser', userName: 'Alice', accountId: '111122223333' },
  requestParameters: { bucketName: 'logs-prod', size: 42, tags: ['a', 'b'] },
});

const matches = (pattern: unknown) => compileEventPattern(JSON.stringify(pattern))(envelope);
const invalid = (pattern: string) => () => compileEventPattern(pattern);

describe('EventBridge envelope', () => {
  it('has the CloudTrail detail-type, source and fields', () => {
    expect(envelope).toMatchObject({
      version: '0',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.s3',
      account: '111122223333',
      time: '2024-06-19T00:18:31Z',
      region: 'us-east-2',
      resources: [],
    });
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sourceOf('cloudtrail-data.amazonaws.com')).toBe('aws.cloudtrail-data');
    expect(toEventBridgeEnvelope('1', { eventType: 'AwsConsoleSignIn' })['detail-type']).toBe('AWS Console Sign In via CloudTrail');
    expect(toEventBridgeEnvelope('1', { eventType: 'AwsServiceEvent' })['detail-type']).toBe('AWS Service Event via CloudTrail');
    expect(toEventBridgeEnvelope('1', { eventType: 'AwsCloudTrailInsight' })['detail-type']).toBe('AWS Insight via CloudTrail');
  });

  it('ENABLED rules skip read-only management events', () => {
    expect(ruleStateAccepts('ENABLED', { readOnly: true, managementEvent: true })).toBe(false);
    expect(ruleStateAccepts('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', { readOnly: true, managementEvent: true })).toBe(true);
    expect(ruleStateAccepts('ENABLED', { readOnly: false, managementEvent: true })).toBe(true);
    expect(ruleStateAccepts('DISABLED', { readOnly: false })).toBe(false);
  });
});

describe('event pattern matching', () => {
  it('exact values, OR within a list, AND across fields, nested objects', () => {
    expect(matches({ source: ['aws.s3'] })).toBe(true);
    expect(matches({ source: ['aws.iam', 'aws.s3'], 'detail-type': ['AWS API Call via CloudTrail'] })).toBe(true);
    expect(matches({ source: ['aws.s3'], region: ['us-east-1'] })).toBe(false);
    expect(matches({ detail: { userIdentity: { userName: ['Alice'] } } })).toBe(true);
    expect(matches({ detail: { userIdentity: { userName: ['Bob'] } } })).toBe(false);
    expect(matches({ detail: { missing: { x: ['y'] } } })).toBe(false);
  });

  it('numbers, booleans and null match by type', () => {
    expect(matches({ detail: { requestParameters: { size: [42] } } })).toBe(true);
    expect(matches({ detail: { requestParameters: { size: ['42'] } } })).toBe(false);
    expect(matches({ detail: { readOnly: [false] } })).toBe(true);
    expect(matches({ detail: { readOnly: ['false'] } })).toBe(false);
    expect(matches({ detail: { errorCode: [null] } })).toBe(true);
  });

  it('array values in the event match when any element does', () => {
    expect(matches({ detail: { requestParameters: { tags: ['b'] } } })).toBe(true);
    expect(matches({ detail: { requestParameters: { tags: ['c'] } } })).toBe(false);
  });

  it('prefix and suffix, also ignoring case', () => {
    expect(matches({ detail: { eventName: [{ prefix: 'Put' }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ prefix: 'put' }] } })).toBe(false);
    expect(matches({ detail: { eventName: [{ prefix: { 'equals-ignore-case': 'put' } }] } })).toBe(true);
    expect(matches({ detail: { requestParameters: { bucketName: [{ suffix: '-prod' }] } } })).toBe(true);
    expect(matches({ detail: { requestParameters: { bucketName: [{ suffix: { 'equals-ignore-case': '-PROD' } }] } } })).toBe(true);
    expect(matches({ detail: { requestParameters: { size: [{ prefix: '4' }] } } })).toBe(false);
  });

  it('anything-but: value, list, prefix, suffix, equals-ignore-case; never an absent field', () => {
    expect(matches({ detail: { eventName: [{ 'anything-but': 'GetObject' }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ 'anything-but': ['PutObject', 'GetObject'] }] } })).toBe(false);
    expect(matches({ detail: { eventName: [{ 'anything-but': { prefix: 'Put' } }] } })).toBe(false);
    expect(matches({ detail: { eventName: [{ 'anything-but': { suffix: 'Bucket' } }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ 'anything-but': { 'equals-ignore-case': ['putobject'] } }] } })).toBe(false);
    expect(matches({ detail: { requestParameters: { size: [{ 'anything-but': [1, 2] }] } } })).toBe(true);
    expect(matches({ detail: { nothing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('numeric ranges', () => {
    expect(matches({ detail: { requestParameters: { size: [{ numeric: ['>', 0, '<=', 42] }] } } })).toBe(true);
    expect(matches({ detail: { requestParameters: { size: [{ numeric: ['<', 42] }] } } })).toBe(false);
    expect(matches({ detail: { requestParameters: { size: [{ numeric: ['=', 42] }] } } })).toBe(true);
    expect(matches({ detail: { eventName: [{ numeric: ['>', 0] }] } })).toBe(false);
  });

  it('exists true/false', () => {
    expect(matches({ detail: { eventName: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { nothing: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { nothing: [{ exists: true }] } })).toBe(false);
    // exists is for leaves: an object is not a leaf
    expect(matches({ detail: { userIdentity: [{ exists: true }] } })).toBe(false);
  });

  it('equals-ignore-case, wildcard, cidr and $or', () => {
    expect(matches({ detail: { eventName: [{ 'equals-ignore-case': 'PUTOBJECT' }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ wildcard: 'Put*t' }] } })).toBe(true);
    expect(matches({ detail: { eventName: [{ wildcard: 'Get*' }] } })).toBe(false);
    expect(matches({ detail: { requestParameters: { bucketName: [{ wildcard: 'logs.prod' }] } } })).toBe(false); // '.' is literal
    expect(matches({ detail: { sourceIPAddress: [{ cidr: '10.1.0.0/16' }] } })).toBe(true);
    expect(matches({ detail: { sourceIPAddress: [{ cidr: '192.168.0.0/16' }] } })).toBe(false);
    expect(matches({ $or: [{ source: ['aws.iam'] }, { detail: { eventName: ['PutObject'] } }] })).toBe(true);
    expect(matches({ $or: [{ source: ['aws.iam'] }, { region: ['eu-west-1'] }] })).toBe(false);
  });

  it('rejects invalid patterns with InvalidEventPatternException', () => {
    for (const bad of [
      'not json',
      '[]',
      '{}',
      '{"source":"aws.s3"}',
      '{"source":[]}',
      '{"source":[["x"]]}',
      '{"source":[{"bogus":1}]}',
      '{"source":[{"prefix":1}]}',
      '{"a":[{"numeric":[">"]}]}',
      '{"a":[{"numeric":["~",1]}]}',
      '{"a":[{"numeric":["<",5,">",1]}]}',
      '{"a":[{"exists":"yes"}]}',
      '{"a":[{"anything-but":[]}]}',
      '{"a":[{"wildcard":"a**b"}]}',
      '{"a":[{"cidr":"10.0.0.0/33"}]}',
      '{"$or":[{"a":["b"]}]}',
      '{"a":[{"prefix":"x","suffix":"y"}]}',
      '{"a":{}}',
    ]) {
      expect(invalid(bad)).toThrow(expect.objectContaining({ code: 'InvalidEventPatternException' }));
    }
  });
});
