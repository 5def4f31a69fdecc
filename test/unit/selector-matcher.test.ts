import {
  DEFAULT_EVENT_SELECTORS,
  SelectableEvent,
  SelectorTrail,
  dataResourceValueMatches,
  eventFieldValue,
  fieldSelectorMatches,
  isGlobalServiceEvent,
  trailSelects,
} from '../../src/selectors/selector-matcher';
import type { AdvancedEventSelector, EventSelector } from '../../src/trails/trail.entity';

const trail = (over: Partial<SelectorTrail> = {}): SelectorTrail => ({
  eventSelectors: null,
  advancedEventSelectors: null,
  includeGlobalServiceEvents: true,
  isMultiRegionTrail: false,
  homeRegion: 'eu-west-1',
  ...over,
});

const mgmt = (over: Partial<SelectableEvent> = {}): SelectableEvent => ({
  record: { eventType: 'AwsApiCall', userIdentity: { arn: 'arn:aws:iam::111111111111:user/alice' } },
  eventCategory: 'Management',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'RunInstances',
  readOnly: false,
  region: 'eu-west-1',
  managementEvent: true,
  ...over,
});

const s3Data = (key: string, readOnly = false, bucket = 'data-bucket'): SelectableEvent => ({
  record: {
    eventType: 'AwsApiCall',
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
  },
  eventCategory: 'Data',
  eventSource: 's3.amazonaws.com',
  eventName: readOnly ? 'GetObject' : 'PutObject',
  readOnly,
  region: 'eu-west-1',
  managementEvent: false,
});

const lambdaData = (arn: string): SelectableEvent => ({
  record: { resources: [{ type: 'AWS::Lambda::Function', ARN: arn }] },
  eventCategory: 'Data',
  eventSource: 'lambda.amazonaws.com',
  eventName: 'Invoke',
  readOnly: false,
  region: 'eu-west-1',
  managementEvent: false,
});

const basic = (over: Partial<EventSelector>): EventSelector => ({
  ReadWriteType: 'All',
  IncludeManagementEvents: true,
  DataResources: [],
  ExcludeManagementEventSources: [],
  ...over,
});

describe('default selectors', () => {
  it('select every read and write management event and no data or network event', () => {
    const t = trail();
    expect(trailSelects(t, mgmt({ readOnly: true }))).toBe(true);
    expect(trailSelects(t, mgmt({ readOnly: false }))).toBe(true);
    expect(trailSelects(t, mgmt({ readOnly: null }))).toBe(true);
    expect(trailSelects(t, s3Data('a.txt'))).toBe(false);
    expect(trailSelects(t, mgmt({ eventCategory: 'NetworkActivity', managementEvent: false }))).toBe(false);
  });

  it('equal the documented default of a new trail', () => {
    expect(DEFAULT_EVENT_SELECTORS).toEqual([
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
    ]);
  });
});

describe('global service events', () => {
  const iam = mgmt({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', region: 'us-east-1' });

  it('are IAM, STS, CloudFront and sign-in management events recorded in us-east-1', () => {
    expect(isGlobalServiceEvent(iam)).toBe(true);
    expect(isGlobalServiceEvent({ ...iam, eventSource: 'sts.amazonaws.com' })).toBe(true);
    expect(isGlobalServiceEvent({ ...iam, eventSource: 'cloudfront.amazonaws.com' })).toBe(true);
    expect(isGlobalServiceEvent({ ...iam, eventSource: 'signin.amazonaws.com' })).toBe(true);
    expect(isGlobalServiceEvent({ ...iam, region: 'eu-west-1' })).toBe(false);
    expect(isGlobalServiceEvent({ ...iam, eventSource: 'ec2.amazonaws.com' })).toBe(false);
  });

  it('are selected only when includeGlobalServiceEvents is on, whatever the selectors', () => {
    expect(trailSelects(trail(), iam)).toBe(true);
    expect(trailSelects(trail({ includeGlobalServiceEvents: false }), iam)).toBe(false);
    const advanced: AdvancedEventSelector[] = [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];
    expect(trailSelects(trail({ includeGlobalServiceEvents: false, advancedEventSelectors: advanced }), iam)).toBe(false);
    // A regional event of the same service elsewhere is not a global-service event.
    expect(trailSelects(trail({ includeGlobalServiceEvents: false }), { ...iam, region: 'eu-west-1' })).toBe(true);
  });
});

describe('basic selectors', () => {
  it('filter management events by ReadWriteType', () => {
    const ro = trail({ eventSelectors: [basic({ ReadWriteType: 'ReadOnly' })] });
    const wo = trail({ eventSelectors: [basic({ ReadWriteType: 'WriteOnly' })] });
    expect(trailSelects(ro, mgmt({ readOnly: true }))).toBe(true);
    expect(trailSelects(ro, mgmt({ readOnly: false }))).toBe(false);
    expect(trailSelects(wo, mgmt({ readOnly: false }))).toBe(true);
    expect(trailSelects(wo, mgmt({ readOnly: true }))).toBe(false);
    expect(trailSelects(ro, mgmt({ readOnly: null }))).toBe(false);
  });

  it('honour IncludeManagementEvents=false', () => {
    const t = trail({ eventSelectors: [basic({ IncludeManagementEvents: false })] });
    expect(trailSelects(t, mgmt())).toBe(false);
  });

  it('exclude management event sources (kms, rdsdata)', () => {
    const t = trail({ eventSelectors: [basic({ ExcludeManagementEventSources: ['kms.amazonaws.com'] })] });
    expect(trailSelects(t, mgmt({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' }))).toBe(false);
    expect(trailSelects(t, mgmt({ eventSource: 'rdsdata.amazonaws.com' }))).toBe(true);
  });

  it('OR across selectors', () => {
    const t = trail({
      eventSelectors: [
        basic({
          ReadWriteType: 'ReadOnly',
          IncludeManagementEvents: false,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::data-bucket/'] }],
        }),
        basic({ ReadWriteType: 'WriteOnly' }),
      ],
    });
    expect(trailSelects(t, s3Data('x', true))).toBe(true);
    expect(trailSelects(t, s3Data('x', false))).toBe(false);
    expect(trailSelects(t, mgmt({ readOnly: false }))).toBe(true);
    expect(trailSelects(t, mgmt({ readOnly: true }))).toBe(false);
  });

  it('select S3 object data events by bucket, prefix or all buckets', () => {
    const bucket = trail({
      eventSelectors: [basic({ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::data-bucket/'] }] })],
    });
    expect(trailSelects(bucket, s3Data('a/b.txt'))).toBe(true);
    expect(trailSelects(bucket, s3Data('a/b.txt', false, 'other-bucket'))).toBe(false);
    expect(trailSelects(bucket, s3Data('a', false, 'data-bucket2'))).toBe(false);

    const prefix = trail({
      eventSelectors: [basic({ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::data-bucket/logs/'] }] })],
    });
    expect(trailSelects(prefix, s3Data('logs/1.gz'))).toBe(true);
    expect(trailSelects(prefix, s3Data('other/1.gz'))).toBe(false);

    const all = trail({ eventSelectors: [basic({ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] })] });
    expect(trailSelects(all, s3Data('x', false, 'any-bucket'))).toBe(true);
    expect(trailSelects(all, lambdaData('arn:aws:lambda:eu-west-1:111111111111:function:f'))).toBe(false);
  });

  it('read a bare bucket ARN as the whole bucket, never as a name prefix', () => {
    expect(dataResourceValueMatches('AWS::S3::Object', 'arn:aws:s3:::b', 'arn:aws:s3:::b/k')).toBe(true);
    expect(dataResourceValueMatches('AWS::S3::Object', 'arn:aws:s3:::b', 'arn:aws:s3:::b2/k')).toBe(false);
    expect(dataResourceValueMatches('AWS::S3::Object', 'arn:aws:s3:::', 'arn:aws:s3:::b2/k')).toBe(true);
  });

  it('match S3 data events on the object resource type only', () => {
    // The bucket resource of an object event does not satisfy an AWS::S3::Object selector by itself.
    const t = trail({ eventSelectors: [basic({ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::data-bucket/'] }] })] });
    const bucketOnly: SelectableEvent = { ...s3Data('k'), resources: [{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::data-bucket' }] };
    expect(trailSelects(t, bucketOnly)).toBe(false);
  });

  it('match Lambda functions exactly, or all functions', () => {
    const fn = 'arn:aws:lambda:eu-west-1:111111111111:function:helloworld';
    const one = trail({ eventSelectors: [basic({ DataResources: [{ Type: 'AWS::Lambda::Function', Values: [fn] }] })] });
    expect(trailSelects(one, lambdaData(fn))).toBe(true);
    expect(trailSelects(one, lambdaData(`${fn}:PROD`))).toBe(true);
    expect(trailSelects(one, lambdaData(`${fn}2`))).toBe(false);
    const all = trail({ eventSelectors: [basic({ DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda'] }] })] });
    expect(trailSelects(all, lambdaData(`${fn}2`))).toBe(true);
  });

  it('match DynamoDB tables exactly', () => {
    const table = 'arn:aws:dynamodb:eu-west-1:111111111111:table/Orders';
    const event: SelectableEvent = {
      ...lambdaData(''),
      eventSource: 'dynamodb.amazonaws.com',
      resources: [{ type: 'AWS::DynamoDB::Table', ARN: table }],
    };
    const t = trail({ eventSelectors: [basic({ DataResources: [{ Type: 'AWS::DynamoDB::Table', Values: [table] }] })] });
    expect(trailSelects(t, event)).toBe(true);
    expect(trailSelects(t, { ...event, resources: [{ type: 'AWS::DynamoDB::Table', ARN: `${table}2` }] })).toBe(false);
  });

  it('apply ReadWriteType to data events', () => {
    const t = trail({
      eventSelectors: [basic({ ReadWriteType: 'WriteOnly', DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] })],
    });
    expect(trailSelects(t, s3Data('k', false))).toBe(true);
    expect(trailSelects(t, s3Data('k', true))).toBe(false);
  });

  it('select nothing for an empty list', () => {
    expect(trailSelects(trail({ eventSelectors: [] }), mgmt())).toBe(false);
  });
});

describe('advanced selectors', () => {
  const adv = (...selectors: AdvancedEventSelector[]) => trail({ advancedEventSelectors: selectors });
  const mgmtSel: AdvancedEventSelector = { Name: 'mgmt', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] };

  it('select by eventCategory', () => {
    expect(trailSelects(adv(mgmtSel), mgmt())).toBe(true);
    expect(trailSelects(adv(mgmtSel), s3Data('k'))).toBe(false);
  });

  it('take precedence over basic selectors', () => {
    const t = trail({
      eventSelectors: [basic({})],
      advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }],
    });
    expect(trailSelects(t, mgmt())).toBe(false);
  });

  it('AND field selectors within a selector, OR across selectors', () => {
    const writes: AdvancedEventSelector = {
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'readOnly', Equals: ['false'] },
      ],
    };
    const s3Reads: AdvancedEventSelector = {
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'readOnly', Equals: ['true'] },
      ],
    };
    const t = adv(writes, s3Reads);
    expect(trailSelects(t, mgmt({ readOnly: false }))).toBe(true);
    expect(trailSelects(t, mgmt({ readOnly: true }))).toBe(false);
    expect(trailSelects(t, s3Data('k', true))).toBe(true);
    expect(trailSelects(t, s3Data('k', false))).toBe(false);
  });

  it('exclude the trail bucket with NotStartsWith on resources.ARN (the spec example)', () => {
    const t = adv({
      Name: 'S3 writes except log bucket',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'readOnly', Equals: ['false'] },
        { Field: 'resources.ARN', NotStartsWith: ['arn:aws:s3:::my-trail-bucket/'] },
      ],
    });
    expect(trailSelects(t, s3Data('k', false, 'data-bucket'))).toBe(true);
    expect(trailSelects(t, s3Data('k', false, 'my-trail-bucket'))).toBe(false);
    expect(trailSelects(t, s3Data('k', true, 'data-bucket'))).toBe(false);
  });

  it('evaluate resources.type and resources.ARN against the same resource', () => {
    // The bucket resource (AWS::S3::Bucket) of the event must not satisfy the ARN condition for the object type.
    const t = adv({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'resources.ARN', Equals: ['arn:aws:s3:::data-bucket'] },
      ],
    });
    expect(trailSelects(t, s3Data('k'))).toBe(false);
    const startsWith = adv({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::data-bucket/'] },
      ],
    });
    expect(trailSelects(startsWith, s3Data('k'))).toBe(true);
  });

  it('require a resource when a resources.* field is named', () => {
    const t = adv({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      ],
    });
    expect(trailSelects(t, { ...s3Data('k'), resources: [] })).toBe(false);
  });

  it('exclude KMS and RDS Data management events with NotEquals on eventSource', () => {
    const t = adv({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
      ],
    });
    expect(trailSelects(t, mgmt({ eventSource: 'kms.amazonaws.com' }))).toBe(false);
    expect(trailSelects(t, mgmt({ eventSource: 'rdsdata.amazonaws.com' }))).toBe(false);
    expect(trailSelects(t, mgmt())).toBe(true);
  });

  it('select network activity by source and error code', () => {
    const t = adv({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['NetworkActivity'] },
        { Field: 'eventSource', Equals: ['kms.amazonaws.com'] },
        { Field: 'errorCode', Equals: ['VpceAccessDenied'] },
      ],
    });
    const net = (errorCode?: string): SelectableEvent =>
      mgmt({
        eventCategory: 'NetworkActivity',
        eventSource: 'kms.amazonaws.com',
        managementEvent: false,
        record: errorCode ? { errorCode } : {},
      });
    expect(trailSelects(t, net('VpceAccessDenied'))).toBe(true);
    expect(trailSelects(t, net())).toBe(false);
  });

  it('read eventName, eventType, userIdentity.arn and vpcEndpointId from the event', () => {
    const e = mgmt({
      record: { eventType: 'AwsApiCall', userIdentity: { arn: 'arn:aws:iam::111111111111:user/alice' }, vpcEndpointId: 'vpce-1' },
    });
    expect(eventFieldValue(e, 'eventName')).toBe('RunInstances');
    expect(eventFieldValue(e, 'eventType')).toBe('AwsApiCall');
    expect(eventFieldValue(e, 'userIdentity.arn')).toBe('arn:aws:iam::111111111111:user/alice');
    expect(eventFieldValue(e, 'vpcEndpointId')).toBe('vpce-1');
    expect(eventFieldValue(e, 'readOnly')).toBe('false');
    expect(eventFieldValue(mgmt({ readOnly: null }), 'readOnly')).toBeUndefined();
    expect(eventFieldValue(e, 'errorCode')).toBeUndefined();
    expect(eventFieldValue(e, 'userIdentity')).toBeUndefined();
  });

  it('treat an absent sessionCredentialFromConsole as false', () => {
    const t = adv({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'sessionCredentialFromConsole', Equals: ['false'] },
      ],
    });
    expect(trailSelects(t, mgmt())).toBe(true);
    expect(trailSelects(t, mgmt({ record: { sessionCredentialFromConsole: 'true' } }))).toBe(false);
  });

  it('filter by userIdentity.arn with EndsWith / NotEndsWith', () => {
    const t = adv({
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Management'] },
        { Field: 'userIdentity.arn', NotEndsWith: ['/alice'] },
      ],
    });
    expect(trailSelects(t, mgmt())).toBe(false);
    expect(trailSelects(t, mgmt({ record: { userIdentity: { arn: 'arn:aws:iam::111111111111:user/bob' } } }))).toBe(true);
  });

  it('select nothing for an empty advanced list', () => {
    expect(trailSelects(adv(), mgmt())).toBe(false);
  });
});

describe('fieldSelectorMatches', () => {
  const F = 'eventName';
  it('positive operators match any listed value, case-sensitively', () => {
    expect(fieldSelectorMatches({ Field: F, Equals: ['A', 'PutObject'] }, 'PutObject')).toBe(true);
    expect(fieldSelectorMatches({ Field: F, Equals: ['putobject'] }, 'PutObject')).toBe(false);
    expect(fieldSelectorMatches({ Field: F, StartsWith: ['Put'] }, 'PutObject')).toBe(true);
    expect(fieldSelectorMatches({ Field: F, EndsWith: ['Object'] }, 'PutObject')).toBe(true);
    expect(fieldSelectorMatches({ Field: F, EndsWith: ['Bucket'] }, 'PutObject')).toBe(false);
  });

  it('negative operators match only when no listed value applies', () => {
    expect(fieldSelectorMatches({ Field: F, NotEquals: ['GetObject'] }, 'PutObject')).toBe(true);
    expect(fieldSelectorMatches({ Field: F, NotEquals: ['GetObject', 'PutObject'] }, 'PutObject')).toBe(false);
    expect(fieldSelectorMatches({ Field: F, NotStartsWith: ['Get'] }, 'PutObject')).toBe(true);
    expect(fieldSelectorMatches({ Field: F, NotStartsWith: ['Put'] }, 'PutObject')).toBe(false);
    expect(fieldSelectorMatches({ Field: F, NotEndsWith: ['Object'] }, 'PutObject')).toBe(false);
  });

  it('require every operator of one field selector to hold', () => {
    expect(fieldSelectorMatches({ Field: F, StartsWith: ['Put'], NotEquals: ['PutObjectAcl'] }, 'PutObject')).toBe(true);
    expect(fieldSelectorMatches({ Field: F, StartsWith: ['Put'], NotEquals: ['PutObjectAcl'] }, 'PutObjectAcl')).toBe(false);
  });

  it('fail positive and pass negative operators for a missing value', () => {
    expect(fieldSelectorMatches({ Field: 'errorCode', Equals: ['X'] }, undefined)).toBe(false);
    expect(fieldSelectorMatches({ Field: 'errorCode', StartsWith: ['X'] }, undefined)).toBe(false);
    expect(fieldSelectorMatches({ Field: 'errorCode', NotEquals: ['X'] }, undefined)).toBe(true);
    expect(fieldSelectorMatches({ Field: 'errorCode', NotEndsWith: ['X'] }, undefined)).toBe(true);
  });
});

describe('insights events', () => {
  const insight = (insightType: string): SelectableEvent => ({
    record: { eventType: 'AwsCloudTrailInsight', insightDetails: { insightType, state: 'Start' } },
    eventCategory: 'Insight',
    eventSource: '',
    eventName: '',
    readOnly: null,
    region: 'eu-west-1',
    managementEvent: false,
  });

  it('are selected by the insight types the trail enabled, not by event selectors', () => {
    expect(trailSelects(trail(), insight('ApiCallRateInsight'))).toBe(false);
    const t = trail({ insightSelectors: [{ InsightType: 'ApiCallRateInsight' }] });
    expect(trailSelects(t, insight('ApiCallRateInsight'))).toBe(true);
    expect(trailSelects(t, insight('ApiErrorRateInsight'))).toBe(false);
  });
});
