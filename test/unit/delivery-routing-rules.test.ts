import { LOG_FILE_NAME, logFileKey, uniqueSuffix } from '../../src/delivery/log-file-key';
import { buildLogFileBody } from '../../src/delivery/log-file-body';
import { selectDeliveries, trailCoversRegion } from '../../src/delivery/trail-event.router';
import type { BatchEvent } from '../../src/events/event.repository';
import type { RoutableTrail } from '../../src/delivery/trail-routing.repository';
import { gunzipSync } from 'node:zlib';

const at = new Date(Date.UTC(2024, 2, 2, 10, 15, 59));

describe('logFileKey (spec §5.1)', () => {
  it('lays out an account trail key', () => {
    expect(
      logFileKey({
        prefix: null,
        organizationId: null,
        accountId: '111122223333',
        region: 'us-east-2',
        deliveredAt: at,
        unique: 'Mu0KsOhtH1ar15ZZ',
      }),
    ).toBe(
      'AWSLogs/111122223333/CloudTrail/us-east-2/2024/03/02/111122223333_CloudTrail_us-east-2_20240302T1015Z_Mu0KsOhtH1ar15ZZ.json.gz',
    );
  });

  it('adds the prefix and, for organization trails, the organization id', () => {
    expect(
      logFileKey({
        prefix: 'a/b',
        organizationId: 'o-exampleorgid',
        accountId: '444444444444',
        region: 'eu-west-1',
        deliveredAt: at,
        unique: 'Ab12Cd34Ef56Gh78',
      }),
    ).toBe(
      'a/b/AWSLogs/o-exampleorgid/444444444444/CloudTrail/eu-west-1/2024/03/02/444444444444_CloudTrail_eu-west-1_20240302T1015Z_Ab12Cd34Ef56Gh78.json.gz',
    );
  });

  it('never starts with a slash or doubles one when the prefix has slashes', () => {
    const key = logFileKey({
      prefix: '/logs/',
      organizationId: null,
      accountId: '111122223333',
      region: 'us-east-1',
      deliveredAt: at,
      unique: 'x'.repeat(16),
    });
    expect(key.startsWith('logs/AWSLogs/')).toBe(true);
    expect(key).not.toContain('//');
  });

  it('uses the UTC date with zero padding and matches the processing library regex', () => {
    const d = new Date(Date.UTC(2025, 0, 5, 3, 4));
    const key = logFileKey({
      prefix: null,
      organizationId: null,
      accountId: '111122223333',
      region: 'ap-southeast-2',
      deliveredAt: d,
      unique: uniqueSuffix(),
    });
    expect(key).toMatch(/\/2025\/01\/05\/111122223333_CloudTrail_ap-southeast-2_20250105T0304Z_[A-Za-z0-9]{16}\.json\.gz$/);
    expect(key).toMatch(LOG_FILE_NAME);
  });

  it('unique suffixes are 16 alphanumerics and differ', () => {
    const all = new Set(Array.from({ length: 200 }, uniqueSuffix));
    expect(all.size).toBe(200);
    for (const u of all) expect(u).toMatch(/^[A-Za-z0-9]{16}$/);
  });
});

describe('buildLogFileBody', () => {
  it('is deterministic (a rewrite after a crash stores the same bytes) and hashes the uncompressed JSON', async () => {
    const records = ['{"eventID":"a"}', '{"eventID":"b"}'];
    const one = await buildLogFileBody(records);
    const two = await buildLogFileBody(records);
    expect(one.gzipped.equals(two.gzipped)).toBe(true);
    expect(gunzipSync(one.gzipped).toString()).toBe('{"Records":[{"eventID":"a"},{"eventID":"b"}]}');
    expect(one.uncompressedSize).toBe(Buffer.byteLength('{"Records":[{"eventID":"a"},{"eventID":"b"}]}'));
    expect(one.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

const trail = (over: Partial<RoutableTrail>): RoutableTrail => ({
  id: 't',
  accountId: '111111111111',
  homeRegion: 'us-east-1',
  isMultiRegionTrail: false,
  isOrganizationTrail: false,
  includeGlobalServiceEvents: true,
  eventSelectors: null,
  advancedEventSelectors: null,
  insightSelectors: null,
  ...over,
});

let n = 0;
const event = (over: Partial<BatchEvent>): BatchEvent => ({
  eventId: `e${++n}`,
  eventTime: at,
  region: 'us-east-1',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'RunInstances',
  eventCategory: 'Management',
  readOnly: false,
  managementEvent: true,
  errorCode: null,
  userIdentityArn: null,
  userAgent: null,
  record: JSON.stringify({ eventType: 'AwsApiCall', userIdentity: { arn: 'arn:aws:iam::111111111111:user/a' } }),
  ...over,
});

describe('selectDeliveries', () => {
  it('single-region trails take their home region only; multi-region trails every region', () => {
    const single = trail({ id: 'single' });
    const multi = trail({ id: 'multi', isMultiRegionTrail: true });
    const home = event({ region: 'us-east-1' });
    const away = event({ region: 'eu-west-1' });
    const rows = selectDeliveries([single, multi], [home, away]);
    expect(rows.map((r) => `${r.trailId}:${r.eventId}:${r.region}`).sort()).toEqual(
      [`multi:${away.eventId}:eu-west-1`, `multi:${home.eventId}:us-east-1`, `single:${home.eventId}:us-east-1`].sort(),
    );
    expect(trailCoversRegion(single, 'eu-west-1')).toBe(false);
  });

  it('applies the trail selectors (write-only drops read-only events)', () => {
    const writeOnly = trail({
      id: 'wo',
      eventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    });
    const read = event({ readOnly: true, eventName: 'DescribeInstances' });
    const write = event({ readOnly: false });
    expect(selectDeliveries([writeOnly], [read, write]).map((r) => r.eventId)).toEqual([write.eventId]);
  });

  it('routes Insights events only to trails enabling their type, as CloudTrail-Insight rows; the event time stays in the key', () => {
    const calls = trail({ id: 'calls', insightSelectors: [{ InsightType: 'ApiCallRateInsight' }] });
    const errors = trail({ id: 'errors', insightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] });
    const none = trail({ id: 'none' });
    const insight = event({
      eventCategory: 'Insight',
      managementEvent: false,
      record: JSON.stringify({ eventType: 'AwsCloudTrailInsight', insightDetails: { state: 'Start', insightType: 'ApiCallRateInsight' } }),
    });
    const normal = event({});
    const rows = selectDeliveries([calls, errors, none], [insight, normal]);
    expect(rows.filter((r) => r.eventId === insight.eventId)).toEqual([
      { trailId: 'calls', region: 'us-east-1', eventId: insight.eventId, eventTime: at, kind: 'CloudTrail-Insight' },
    ]);
    expect(rows.filter((r) => r.eventId === normal.eventId).map((r) => [r.trailId, r.kind])).toEqual([
      ['calls', 'CloudTrail'],
      ['errors', 'CloudTrail'],
      ['none', 'CloudTrail'],
    ]);
  });

  it('no trails or no events: nothing', () => {
    expect(selectDeliveries([], [event({})])).toEqual([]);
    expect(selectDeliveries([trail({})], [])).toEqual([]);
  });
});
