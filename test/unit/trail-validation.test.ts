import {
  loggedEventKinds,
  validateAdvancedEventSelectors,
  validateEventSelectors,
  validateInsightSelectors,
} from '../../src/selectors/selector-validation';
import {
  normaliseKmsKeyId,
  normaliseS3Prefix,
  parseSnsTopic,
  parseTrailArn,
  validateBucketName,
  validateTrailName,
} from '../../src/trails/trail-names';
import { mergeTags, withoutTags } from '../../src/tagging/tag-rules';

const code = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'non-domain error';
  }
};

describe('trail names and ARNs', () => {
  it('accepts valid names and rejects each rule of spec §1.4', () => {
    for (const ok of ['abc', 'My.Trail_1-x', 'a'.repeat(128), '1.2.3']) expect(code(() => validateTrailName(ok))).toBeNull();
    for (const bad of ['ab', 'a'.repeat(129), '_abc', 'abc.', 'a b c', 'a..b', 'a._b', '10.0.0.1', 'ab/c']) {
      expect(code(() => validateTrailName(bad))).toBe('InvalidTrailNameException');
    }
  });

  it('parses trail ARNs and rejects malformed ones', () => {
    expect(parseTrailArn('arn:aws:cloudtrail:eu-west-1:123456789012:trail/abc')).toEqual({
      region: 'eu-west-1',
      accountId: '123456789012',
      name: 'abc',
    });
    for (const bad of [
      'arn:aws:cloudtrail:eu-west-1:1234:trail/abc',
      'arn:aws:cloudtrail:xx-nowhere-1:123456789012:trail/abc',
      'arn:aws:s3:::b',
      'arn:aws-cn:cloudtrail:eu-west-1:123456789012:trail/abc',
    ]) {
      expect(code(() => parseTrailArn(bad))).toBe('CloudTrailARNInvalidException');
    }
    expect(code(() => parseTrailArn('arn:aws:cloudtrail:eu-west-1:123456789012:trail/a'))).toBe('InvalidTrailNameException');
  });

  it('checks bucket names, prefixes, topics and KMS ids', () => {
    for (const ok of ['abc', 'my.logs-1', 'a'.repeat(63)]) expect(code(() => validateBucketName(ok))).toBeNull();
    for (const bad of ['ab', 'A-b-c', 'a_b', 'abc-', 'a..b', 'a-.b', '192.168.1.1', 'a'.repeat(64)])
      expect(code(() => validateBucketName(bad))).toBe('InvalidS3BucketNameException');
    expect(normaliseS3Prefix('a/b/')).toBe('a/b');
    expect(normaliseS3Prefix('')).toBeNull();
    expect(code(() => normaliseS3Prefix('x'.repeat(201)))).toBe('InvalidS3PrefixException');
    expect(parseSnsTopic('arn:aws:sns:us-east-1:123456789012:t-1')).toEqual({
      name: 't-1',
      region: 'us-east-1',
      accountId: '123456789012',
    });
    expect(code(() => parseSnsTopic('a b'))).toBe('InvalidSnsTopicNameException');
    const uuid = '4c5ae5ac-1111-2222-3333-444455556666';
    expect(normaliseKmsKeyId(uuid, 'us-east-1', '123456789012')).toBe(`arn:aws:kms:us-east-1:123456789012:key/${uuid}`);
    expect(normaliseKmsKeyId('alias/logs', 'us-east-1', '123456789012')).toBe('arn:aws:kms:us-east-1:123456789012:alias/logs');
    expect(normaliseKmsKeyId(`arn:aws:kms:eu-west-1:111111111111:key/${uuid}`, 'us-east-1', '123456789012')).toBe(
      `arn:aws:kms:eu-west-1:111111111111:key/${uuid}`,
    );
    for (const bad of ['alias/aws/s3', 'key', 'arn:aws:kms:us-east-1:1:key/x'])
      expect(code(() => normaliseKmsKeyId(bad, 'us-east-1', '123456789012'))).toBe('InvalidKmsKeyIdException');
  });
});

describe('event selector validation', () => {
  it('fills defaults and counts only specific data resource values toward 250', () => {
    expect(validateEventSelectors([{}])).toEqual([
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
    ]);
    const values = Array.from({ length: 250 }, (_, i) => `arn:aws:lambda:us-east-1:123456789012:function:f${i}`);
    expect(
      code(() => validateEventSelectors([{ DataResources: [{ Type: 'AWS::Lambda::Function', Values: [...values, 'arn:aws:lambda'] }] }])),
    ).toBeNull();
    expect(
      code(() =>
        validateEventSelectors([
          { DataResources: [{ Type: 'AWS::Lambda::Function', Values: [...values, 'arn:aws:lambda:us-east-1:123456789012:function:x'] }] },
        ]),
      ),
    ).toBe('InvalidEventSelectorsException');
    expect(
      code(() =>
        validateEventSelectors([
          { DataResources: [{ Type: 'AWS::DynamoDB::Table', Values: ['arn:aws:dynamodb:us-east-1:123456789012:table/Orders'] }] },
        ]),
      ),
    ).toBeNull();
  });

  it('keeps only the operators given in advanced selectors', () => {
    expect(validateAdvancedEventSelectors([{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }])).toEqual([
      { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
    ]);
  });

  it('derives which events a trail logs for the Insights prerequisites', () => {
    expect(loggedEventKinds({ eventSelectors: null, advancedEventSelectors: null })).toEqual({
      managementReads: true,
      managementWrites: true,
      dataEvents: false,
    });
    const ro = { eventSelectors: validateEventSelectors([{ ReadWriteType: 'ReadOnly' }]), advancedEventSelectors: null };
    expect(loggedEventKinds(ro)).toEqual({ managementReads: true, managementWrites: false, dataEvents: false });
    const advWrites = {
      eventSelectors: null,
      advancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
      ],
    };
    expect(loggedEventKinds(advWrites)).toEqual({ managementReads: false, managementWrites: true, dataEvents: false });
    expect(code(() => validateInsightSelectors([{ InsightType: 'ApiCallRateInsight' }], ro))).toBe('InvalidInsightSelectorsException');
    expect(code(() => validateInsightSelectors([{ InsightType: 'ApiErrorRateInsight' }], ro))).toBeNull();
    expect(code(() => validateInsightSelectors([{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }], ro))).toBe(
      'InvalidInsightSelectorsException',
    );
    expect(
      code(() => validateInsightSelectors([{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiCallRateInsight' }], advWrites)),
    ).toBe('InvalidInsightSelectorsException');
  });
});

describe('tags', () => {
  it('overwrites by key, removes by key and enforces 50', () => {
    const t = mergeTags([{ Key: 'a', Value: '1' }], [{ Key: 'a', Value: '2' }, { Key: 'b' }]);
    expect(t).toEqual([
      { Key: 'a', Value: '2' },
      { Key: 'b', Value: null },
    ]);
    expect(withoutTags(t, [{ Key: 'a', Value: 'ignored' }])).toEqual([{ Key: 'b', Value: null }]);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: null }));
    expect(code(() => mergeTags(fifty, [{ Key: 'k0', Value: 'x' }]))).toBeNull();
    expect(code(() => mergeTags(fifty, [{ Key: 'new' }]))).toBe('TagsLimitExceededException');
    expect(code(() => mergeTags([], [{ Key: 'é'.repeat(128) }]))).toBeNull();
  });
});
