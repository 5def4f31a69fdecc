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
    expect(r.row).toMatchObject({ username: 'alice', accessKeyId: 'AKIAEXAMPLE', resourceTypes: ['AWS::S3::Bucket'], resourceNames: ['arn:aws:s3:::b'], readOnly: false, managementEvent: true });
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
    ['long userAgent', sampleEvent({ userAgent: 'a'.repeat(1025) }), 'FieldTooLong'],
    ['long errorMessage', sampleEvent({ errorMessage: 'a'.repeat(1025) }), 'FieldTooLong'],
    ['event over 256 KB', sampleEvent({ requestParameters: { x: 'a'.repeat(262_144) } }), 'FieldTooLong'],
    ['insight without details', sampleEvent({ eventCategory: 'Insight' }), 'FieldNotFound'],
    ['unknown category', sampleEvent({ eventCategory: 'Other' }), 'InvalidData'],
    ['NUL inside the record', sampleEvent({ requestParameters: { v: 'a\u0000b' } }), 'InvalidData'],
    ['lone surrogate inside the record', sampleEvent({ requestParameters: { v: 'a\ud800' } }), 'InvalidData'],
  ])('%s → %s', (_name, raw, expected) => {
    expect(code(raw)).toBe(expected);
  });
});
