import { startTestApp, type TestApp } from '../helpers/test-app';
import { type Session, createTrailBucket, trailCall, trailFails } from '../helpers/trails';

/** Event selectors, Insights selectors and tags of trails (spec §4.3, §4.4, §4.8, §10, §12.1). */
describe('trails: selectors and tags', () => {
  let app: TestApp;
  let admin: Session;
  let arn: string;
  const put = (input: Record<string, unknown>) => trailCall(app, 'putEventSelectors', { trailName: 'sel-trail', ...input }, admin);
  const putFails = (input: Record<string, unknown>, code = 'InvalidEventSelectorsException') =>
    trailFails(app, 'putEventSelectors', { trailName: 'sel-trail', ...input }, admin, code);
  const adv = (...fieldSelectors: Array<Record<string, unknown>>) => ({ advancedEventSelectors: [{ name: 'x', fieldSelectors }] });
  const cat = (c: string) => ({ field: 'eventCategory', equals: [c] });

  beforeAll(async () => {
    app = await startTestApp();
    admin = { token: await app.login(app.admin) };
    await createTrailBucket(app, admin, 'selector-logs', [app.admin.accountId]);
    arn = (await trailCall(app, 'createTrail', { name: 'sel-trail', s3BucketName: 'selector-logs' }, admin)).trailARN;
  });
  afterAll(async () => {
    await app.close();
  });

  it('reports the default basic selector of a new trail', async () => {
    expect(await trailCall(app, 'getEventSelectors', { trailName: 'sel-trail' }, admin)).toEqual({
      trailARN: arn,
      eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true, dataResources: [], excludeManagementEventSources: [] }],
      advancedEventSelectors: null,
    });
  });

  it('stores basic selectors with defaults filled in and marks the trail custom', async () => {
    const out = await put({
      eventSelectors: [
        { readWriteType: 'WriteOnly', excludeManagementEventSources: ['kms.amazonaws.com'] },
        { includeManagementEvents: false, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::selector-logs/', 'arn:aws:s3'] }] },
      ],
    });
    expect(out.eventSelectors[1]).toEqual({
      readWriteType: 'All',
      includeManagementEvents: false,
      dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::selector-logs/', 'arn:aws:s3'] }],
      excludeManagementEventSources: [],
    });
    expect((await trailCall(app, 'getEventSelectors', { trailName: arn }, admin)).eventSelectors).toEqual(out.eventSelectors);
    expect((await trailCall(app, 'getTrail', { name: 'sel-trail' }, admin)).hasCustomEventSelectors).toBe(true);
  });

  it('replaces basic selectors with advanced ones and back', async () => {
    const out = await put(adv(cat('Management'), { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }));
    expect(out.eventSelectors).toBeNull();
    expect(out.advancedEventSelectors).toEqual([
      {
        name: 'x',
        fieldSelectors: [
          { field: 'eventCategory', equals: ['Management'], startsWith: null, endsWith: null, notEquals: null, notStartsWith: null, notEndsWith: null },
          { field: 'eventSource', equals: null, startsWith: null, endsWith: null, notEquals: ['kms.amazonaws.com'], notStartsWith: null, notEndsWith: null },
        ],
      },
    ]);
    const read = await trailCall(app, 'getEventSelectors', { trailName: 'sel-trail' }, admin);
    expect(read.eventSelectors).toBeNull();
    expect(read.advancedEventSelectors).toHaveLength(1);
    await put({ eventSelectors: [{ readWriteType: 'All' }] });
    expect((await trailCall(app, 'getEventSelectors', { trailName: 'sel-trail' }, admin)).advancedEventSelectors).toBeNull();
  });

  it('validates basic selectors', async () => {
    await putFails({ eventSelectors: [{}], advancedEventSelectors: [{ fieldSelectors: [cat('Management')] }] }, 'InvalidParameterCombinationException');
    await putFails({});
    await putFails({ eventSelectors: [] });
    await putFails({ eventSelectors: Array.from({ length: 6 }, () => ({})) });
    expect(await putFails({ eventSelectors: [{ readWriteType: 'Sometimes' }] })).toBe('Value Sometimes for parameter ReadWriteType is invalid. Valid values: ReadOnly, WriteOnly, All.');
    await putFails({ eventSelectors: [{ excludeManagementEventSources: ['s3.amazonaws.com'] }] });
    await putFails({ eventSelectors: [{ dataResources: [{ type: 'AWS::SNS::Topic', values: ['arn:aws:sns'] }] }] });
    await putFails({ eventSelectors: [{ dataResources: [{ type: 'AWS::S3::Object', values: [] }] }] });
    await putFails({ eventSelectors: [{ dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:lambda'] }] }] });
    await putFails({ eventSelectors: [{ dataResources: [{ type: 'AWS::Lambda::Function', values: ['arn:aws:lambda:us-east-1:123:function:f'] }] }] });
    const many = Array.from({ length: 251 }, (_, i) => `arn:aws:s3:::selector-logs/p${i}/`);
    expect(await putFails({ eventSelectors: [{ dataResources: [{ type: 'AWS::S3::Object', values: many }] }] })).toContain('at most 250');
    // 250 exactly is allowed, and "all" values do not count.
    await put({ eventSelectors: [{ dataResources: [{ type: 'AWS::S3::Object', values: [...many.slice(0, 250), 'arn:aws:s3'] }] }] });
  });

  it('validates advanced selectors per field and category', async () => {
    await putFails(adv({ field: 'readOnly', equals: ['true'] })); // no eventCategory
    await putFails(adv({ field: 'eventCategory', equals: ['Management', 'Data'] }));
    await putFails(adv(cat('Insight')));
    await putFails(adv({ field: 'eventCategory', startsWith: ['Manage'] }));
    await putFails(adv(cat('Management'), { field: 'readOnly', equals: ['yes'] }));
    await putFails(adv(cat('Management'), { field: 'eventSource', equals: ['ec2.amazonaws.com'] }));
    await putFails(adv(cat('Management'), { field: 'eventName', equals: ['RunInstances'] }));
    await putFails(adv(cat('Management'), { field: 'resources.type', equals: ['AWS::S3::Object'] }));
    await putFails(adv(cat('Data'))); // resources.type required
    await putFails(adv(cat('Data'), { field: 'resources.type', equals: ['AWS::Nope::Thing'] }));
    await putFails(adv(cat('Data'), { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'resources.ARN', equals: ['bucket/'] }));
    await putFails(adv(cat('NetworkActivity'))); // eventSource required
    await putFails(adv(cat('NetworkActivity'), { field: 'eventSource', equals: ['kms.amazonaws.com'] }, { field: 'errorCode', equals: ['Other'] }));
    await putFails(adv(cat('Management'), { field: 'unknownField', equals: ['x'] }));
    await putFails(adv(cat('Management'), { field: 'bad field!', equals: ['x'] }));
    await putFails(adv(cat('Management'), { field: 'readOnly' }));
    await putFails(adv(cat('Management'), { field: 'readOnly', equals: [] }));
    await putFails(adv(cat('Management'), { field: 'userIdentity.arn', equals: ['x'.repeat(2049)] }));
    await putFails(adv(cat('Management'), cat('Management')));
    await putFails({ advancedEventSelectors: [{ fieldSelectors: [] }] });
    await putFails({ advancedEventSelectors: [] });
    await putFails({ advancedEventSelectors: [{ name: 'n'.repeat(1001), fieldSelectors: [cat('Management')] }] });
    const values = Array.from({ length: 499 }, (_, i) => `arn:aws:iam::123456789012:user/u${i}`);
    expect(await putFails(adv(cat('Management'), { field: 'userIdentity.arn', notEquals: [...values, 'extra'] }))).toContain('at most 500');
    // 500 values exactly (499 + the eventCategory value) are allowed.
    await put(adv(cat('Management'), { field: 'userIdentity.arn', notEquals: values }));
    // The documented examples are accepted.
    await put({
      advancedEventSelectors: [
        { name: 'S3 writes except log bucket', fieldSelectors: [cat('Data'), { field: 'resources.type', equals: ['AWS::S3::Object'] }, { field: 'readOnly', equals: ['false'] }, { field: 'resources.ARN', notStartsWith: ['arn:aws:s3:::selector-logs/'] }] },
        { name: 'KMS network activity denials', fieldSelectors: [cat('NetworkActivity'), { field: 'eventSource', equals: ['kms.amazonaws.com'] }, { field: 'errorCode', equals: ['VpceAccessDenied'] }] },
      ],
    });
  });

  it('checks Insights prerequisites and reports InsightNotEnabledException', async () => {
    expect(await trailFails(app, 'getInsightSelectors', { trailName: 'sel-trail' }, admin, 'InsightNotEnabledException')).toBe(
      'Trail sel-trail does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.',
    );
    // The trail now logs only data and network events: no management events for either type.
    await trailFails(app, 'putInsightSelectors', { trailName: 'sel-trail', insightSelectors: [{ insightType: 'ApiErrorRateInsight' }] }, admin, 'InvalidInsightSelectorsException');
    await put({ eventSelectors: [{ readWriteType: 'ReadOnly' }] });
    await trailFails(app, 'putInsightSelectors', { trailName: 'sel-trail', insightSelectors: [{ insightType: 'ApiCallRateInsight' }] }, admin, 'InvalidInsightSelectorsException');
    await trailFails(app, 'putInsightSelectors', { trailName: 'sel-trail', insightSelectors: [{ insightType: 'Sometimes' }] }, admin, 'InvalidInsightSelectorsException');
    const ok = await trailCall(app, 'putInsightSelectors', { trailName: 'sel-trail', insightSelectors: [{ insightType: 'ApiErrorRateInsight' }] }, admin);
    expect(ok).toEqual({ trailARN: arn, insightSelectors: [{ insightType: 'ApiErrorRateInsight', eventCategories: null }] });
    expect((await trailCall(app, 'getInsightSelectors', { trailName: arn }, admin)).insightSelectors).toHaveLength(1);
    expect((await trailCall(app, 'getTrail', { name: 'sel-trail' }, admin)).hasInsightSelectors).toBe(true);
    await put({ eventSelectors: [{ readWriteType: 'All' }] });
    await trailCall(app, 'putInsightSelectors', { trailName: 'sel-trail', insightSelectors: [{ insightType: 'ApiCallRateInsight' }, { insightType: 'ApiErrorRateInsight', eventCategories: ['Management'] }] }, admin);
    await trailCall(app, 'putInsightSelectors', { trailName: 'sel-trail', insightSelectors: [] }, admin);
    await trailFails(app, 'getInsightSelectors', { trailName: 'sel-trail' }, admin, 'InsightNotEnabledException');
  });

  it('only changes selectors from the home region', async () => {
    await trailFails(app, 'putEventSelectors', { trailName: arn, eventSelectors: [{}] }, { ...admin, region: 'us-west-2' }, 'CloudTrailARNInvalidException');
    await trailCall(app, 'updateTrail', { name: 'sel-trail', isMultiRegionTrail: true }, admin);
    await trailFails(app, 'putEventSelectors', { trailName: arn, eventSelectors: [{}] }, { ...admin, region: 'us-west-2' }, 'InvalidHomeRegionException');
    await trailFails(app, 'putInsightSelectors', { trailName: arn, insightSelectors: [] }, { ...admin, region: 'us-west-2' }, 'InvalidHomeRegionException');
    expect((await trailCall(app, 'getEventSelectors', { trailName: arn }, { ...admin, region: 'us-west-2' })).trailARN).toBe(arn);
  });

  it('adds, overwrites, lists and removes tags within the limits', async () => {
    await trailCall(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'team', value: 'sec' }, { key: 'empty' }] }, admin);
    await trailCall(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'team', value: 'ops' }] }, admin);
    const listed = await trailCall(app, 'listTags', { resourceIdList: [arn] }, admin);
    expect(listed.resourceTagList).toEqual([{ resourceId: arn, tagsList: [{ key: 'team', value: 'ops' }, { key: 'empty', value: null }] }]);
    await trailCall(app, 'removeTags', { resourceId: arn, tagsList: [{ key: 'empty' }] }, admin);
    expect((await trailCall(app, 'listTags', { resourceIdList: [arn] }, admin)).resourceTagList[0].tagsList).toEqual([{ key: 'team', value: 'ops' }]);

    const tags = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: 'v' }));
    await trailCall(app, 'addTags', { resourceId: arn, tagsList: tags(49) }, admin);
    await trailFails(app, 'addTags', { resourceId: arn, tagsList: tags(1, 100) }, admin, 'TagsLimitExceededException');
    await trailFails(app, 'addTags', { resourceId: arn, tagsList: [{ key: '' }] }, admin, 'InvalidTagParameterException');
    await trailFails(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'k'.repeat(129) }] }, admin, 'InvalidTagParameterException');
    await trailFails(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'x', value: 'v'.repeat(257) }] }, admin, 'InvalidTagParameterException');
    await trailFails(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'aws:owner', value: 'v' }] }, admin, 'InvalidTagParameterException');
    await trailFails(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'd', value: '1' }, { key: 'd', value: '2' }] }, admin, 'InvalidTagParameterException');
    expect((await trailCall(app, 'listTags', { resourceIdList: [arn] }, admin)).resourceTagList[0].tagsList).toHaveLength(50);
    await trailFails(app, 'addTags', { resourceId: 'sel-trail', tagsList: [{ key: 'a' }] }, admin, 'CloudTrailARNInvalidException');
    await trailFails(app, 'addTags', { resourceId: arn.replace('sel-trail', 'missing-trail'), tagsList: [{ key: 'a' }] }, admin, 'ResourceNotFoundException');
    await trailFails(app, 'listTags', { resourceIdList: Array.from({ length: 21 }, () => arn) }, admin, 'InvalidParameterException');
    // Tags given at creation are stored too.
    const created = await trailCall(app, 'createTrail', { name: 'tagged-trail', s3BucketName: 'selector-logs', tagsList: [{ key: 'a', value: 'b' }] }, admin);
    expect((await trailCall(app, 'listTags', { resourceIdList: [created.trailARN] }, admin)).resourceTagList[0].tagsList).toEqual([{ key: 'a', value: 'b' }]);
    await trailFails(app, 'createTrail', { name: 'tagged-2', s3BucketName: 'selector-logs', tagsList: tags(51) }, admin, 'TagsLimitExceededException');
  });
});
