import { INSIGHT_FILE_NAME, LOG_FILE_NAME, logFileKey } from '../../src/delivery/log-file-key';
import type { CountableEvent, InsightTrail } from '../../src/insights/insight-counting.repository';
import { buildInsightRecord, deterministicUuid } from '../../src/insights/insight-event';
import { countBatch, enabledTypes } from '../../src/insights/insights-count.router';

const at = new Date('2026-03-10T10:00:42Z');
const ev = (over: Partial<CountableEvent> = {}): CountableEvent => ({
  region: 'us-east-1',
  eventTime: at,
  eventSource: 'ec2.amazonaws.com',
  eventName: 'RunInstances',
  readOnly: false,
  errorCode: null,
  userIdentityArn: 'arn:aws:iam::111122223333:user/alice',
  userAgent: 'cli',
  ...over,
});
const both: InsightTrail = {
  homeRegion: 'us-east-1',
  isMultiRegionTrail: false,
  insightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }],
};

describe('Insights counting (pure)', () => {
  it('enabled types follow region coverage and the Management category', () => {
    expect([...enabledTypes([both], 'us-east-1')].sort()).toEqual(['ApiCallRateInsight', 'ApiErrorRateInsight']);
    expect(enabledTypes([both], 'eu-west-1').size).toBe(0);
    expect(enabledTypes([{ ...both, isMultiRegionTrail: true }], 'eu-west-1').size).toBe(2);
    expect(
      enabledTypes([{ ...both, insightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }] }], 'us-east-1').size,
    ).toBe(0);
  });

  it('call rate counts writes; error rate counts any call with an error code, per code, in the minute of the eventTime; attributions per hour', () => {
    const { counts, attributions, earliest } = countBatch(
      [both],
      [
        ev(),
        ev({ userIdentityArn: 'arn:aws:iam::111122223333:user/bob' }),
        ev({ readOnly: true, eventName: 'DescribeInstances' }),
        ev({ readOnly: true, eventName: 'DescribeInstances', errorCode: 'AccessDenied', eventTime: new Date('2026-03-10T09:59:59Z') }),
        ev({ region: 'eu-west-1' }),
      ],
    );
    expect(counts.map((c) => [c.eventName, c.insightType, c.errorCode, c.minute.toISOString(), c.count])).toEqual([
      ['DescribeInstances', 'ApiErrorRateInsight', 'AccessDenied', '2026-03-10T09:59:00.000Z', 1],
      ['RunInstances', 'ApiCallRateInsight', '', '2026-03-10T10:00:00.000Z', 2],
    ]);
    expect(new Set(attributions.map((a) => a.minute.toISOString()))).toEqual(
      new Set(['2026-03-10T09:00:00.000Z', '2026-03-10T10:00:00.000Z']),
    );
    const run = attributions.filter((a) => a.eventName === 'RunInstances').map((a) => [a.attribute, a.value, a.count]);
    expect(run).toEqual([
      ['errorCode', 'null', 2],
      ['userAgent', 'cli', 2],
      ['userIdentityArn', 'arn:aws:iam::111122223333:user/alice', 1],
      ['userIdentityArn', 'arn:aws:iam::111122223333:user/bob', 1],
    ]);
    expect([...earliest]).toEqual([['us-east-1', new Date('2026-03-10T09:59:00Z')]]);
  });

  it('an account whose trails enable nothing for the region counts nothing', () => {
    expect(countBatch([], [ev()]).counts).toEqual([]);
  });

  it('Insights files use the CloudTrail-Insight folder and name (spec §5.1)', () => {
    const key = logFileKey({
      prefix: 'p',
      organizationId: 'o-exampleorgid',
      accountId: '111122223333',
      region: 'us-east-1',
      deliveredAt: at,
      unique: 'Mu0KsOhtH1ar15ZZ',
      kind: 'CloudTrail-Insight',
    });
    expect(key).toBe(
      'p/AWSLogs/o-exampleorgid/111122223333/CloudTrail-Insight/us-east-1/2026/03/10/111122223333_CloudTrail-Insight_us-east-1_20260310T1000Z_Mu0KsOhtH1ar15ZZ.json.gz',
    );
    expect(key).toMatch(INSIGHT_FILE_NAME);
    expect(key).not.toMatch(LOG_FILE_NAME);
  });

  it('builds the Insights record of spec §2.7 with deterministic ids', () => {
    const input = {
      accountId: '111122223333',
      region: 'us-east-1',
      state: 'End' as const,
      sharedEventId: deterministicUuid('x'),
      eventTime: at,
      series: {
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DescribeInstances',
        insightType: 'ApiErrorRateInsight' as const,
        errorCode: 'AccessDenied',
      },
      baselineAverage: 0.001,
      insightAverage: 30,
      insightDuration: 8,
      attributions: {
        errorCode: { insight: [{ value: 'AccessDenied', average: 30 }], baseline: [{ value: 'AccessDenied', average: 0.001 }] },
      },
    };
    const r = buildInsightRecord(input);
    expect(r).toEqual({
      eventVersion: '1.08',
      eventTime: '2026-03-10T10:00:42Z',
      awsRegion: 'us-east-1',
      eventID: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: '111122223333',
      sharedEventID: input.sharedEventId,
      eventCategory: 'Insight',
      insightDetails: {
        state: 'End',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DescribeInstances',
        insightType: 'ApiErrorRateInsight',
        errorCode: 'AccessDenied',
        insightContext: {
          statistics: { baseline: { average: 0.001 }, insight: { average: 30 }, insightDuration: 8, baselineDuration: 10080 },
          attributions: [
            { attribute: 'userIdentityArn', insight: [], baseline: [] },
            { attribute: 'userAgent', insight: [], baseline: [] },
            {
              attribute: 'errorCode',
              insight: [{ value: 'AccessDenied', average: 30 }],
              baseline: [{ value: 'AccessDenied', average: 0.001 }],
            },
          ],
        },
      },
    });
    expect(buildInsightRecord(input).eventID).toBe(r.eventID);
    expect(buildInsightRecord({ ...input, state: 'Start' }).eventID).not.toBe(r.eventID);
  });
});
