import { startTestApp, type TestApp } from '../helpers/test-app';
import { type Session, createTrailBucket, trailCall, trailFails } from '../helpers/trails';

/**
 * Event selectors, Insights selectors and tags of trails over GraphQL (spec §4.3, §4.4, §4.8, §10).
 * The selector and tag validation rules are service-tier tests (test/service/trail-selectors.service.test.ts).
 */
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
        {
          includeManagementEvents: false,
          dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::selector-logs/', 'arn:aws:s3'] }],
        },
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
          {
            field: 'eventCategory',
            equals: ['Management'],
            startsWith: null,
            endsWith: null,
            notEquals: null,
            notStartsWith: null,
            notEndsWith: null,
          },
          {
            field: 'eventSource',
            equals: null,
            startsWith: null,
            endsWith: null,
            notEquals: ['kms.amazonaws.com'],
            notStartsWith: null,
            notEndsWith: null,
          },
        ],
      },
    ]);
    const read = await trailCall(app, 'getEventSelectors', { trailName: 'sel-trail' }, admin);
    expect(read.eventSelectors).toBeNull();
    expect(read.advancedEventSelectors).toHaveLength(1);
    await put({ eventSelectors: [{ readWriteType: 'All' }] });
    expect((await trailCall(app, 'getEventSelectors', { trailName: 'sel-trail' }, admin)).advancedEventSelectors).toBeNull();
    // A refused put answers with the CloudTrail code (the rules: test/service/trail-selectors.service.test.ts).
    expect(await putFails({ eventSelectors: [{ readWriteType: 'Sometimes' }] })).toBe(
      'Value Sometimes for parameter ReadWriteType is invalid. Valid values: ReadOnly, WriteOnly, All.',
    );
  });

  it('checks Insights prerequisites and reports InsightNotEnabledException', async () => {
    expect(await trailFails(app, 'getInsightSelectors', { trailName: 'sel-trail' }, admin, 'InsightNotEnabledException')).toBe(
      'Trail sel-trail does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.',
    );
    // A trail logging only data and network events has no management events for either type.
    await put({
      advancedEventSelectors: [
        {
          name: 'S3 writes except log bucket',
          fieldSelectors: [
            cat('Data'),
            { field: 'resources.type', equals: ['AWS::S3::Object'] },
            { field: 'readOnly', equals: ['false'] },
            { field: 'resources.ARN', notStartsWith: ['arn:aws:s3:::selector-logs/'] },
          ],
        },
        {
          name: 'KMS network activity denials',
          fieldSelectors: [
            cat('NetworkActivity'),
            { field: 'eventSource', equals: ['kms.amazonaws.com'] },
            { field: 'errorCode', equals: ['VpceAccessDenied'] },
          ],
        },
      ],
    });
    await trailFails(
      app,
      'putInsightSelectors',
      { trailName: 'sel-trail', insightSelectors: [{ insightType: 'ApiErrorRateInsight' }] },
      admin,
      'InvalidInsightSelectorsException',
    );
    await put({ eventSelectors: [{ readWriteType: 'ReadOnly' }] });
    await trailFails(
      app,
      'putInsightSelectors',
      { trailName: 'sel-trail', insightSelectors: [{ insightType: 'ApiCallRateInsight' }] },
      admin,
      'InvalidInsightSelectorsException',
    );
    await trailFails(
      app,
      'putInsightSelectors',
      { trailName: 'sel-trail', insightSelectors: [{ insightType: 'Sometimes' }] },
      admin,
      'InvalidInsightSelectorsException',
    );
    const ok = await trailCall(
      app,
      'putInsightSelectors',
      { trailName: 'sel-trail', insightSelectors: [{ insightType: 'ApiErrorRateInsight' }] },
      admin,
    );
    expect(ok).toEqual({ trailARN: arn, insightSelectors: [{ insightType: 'ApiErrorRateInsight', eventCategories: null }] });
    expect((await trailCall(app, 'getInsightSelectors', { trailName: arn }, admin)).insightSelectors).toHaveLength(1);
    expect((await trailCall(app, 'getTrail', { name: 'sel-trail' }, admin)).hasInsightSelectors).toBe(true);
    await put({ eventSelectors: [{ readWriteType: 'All' }] });
    await trailCall(
      app,
      'putInsightSelectors',
      {
        trailName: 'sel-trail',
        insightSelectors: [{ insightType: 'ApiCallRateInsight' }, { insightType: 'ApiErrorRateInsight', eventCategories: ['Management'] }],
      },
      admin,
    );
    await trailCall(app, 'putInsightSelectors', { trailName: 'sel-trail', insightSelectors: [] }, admin);
    await trailFails(app, 'getInsightSelectors', { trailName: 'sel-trail' }, admin, 'InsightNotEnabledException');
  });

  it('adds, overwrites, lists and removes tags', async () => {
    await trailCall(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'team', value: 'sec' }, { key: 'empty' }] }, admin);
    await trailCall(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'team', value: 'ops' }] }, admin);
    const listed = await trailCall(app, 'listTags', { resourceIdList: [arn] }, admin);
    expect(listed.resourceTagList).toEqual([
      {
        resourceId: arn,
        tagsList: [
          { key: 'team', value: 'ops' },
          { key: 'empty', value: null },
        ],
      },
    ]);
    await trailCall(app, 'removeTags', { resourceId: arn, tagsList: [{ key: 'empty' }] }, admin);
    expect((await trailCall(app, 'listTags', { resourceIdList: [arn] }, admin)).resourceTagList[0].tagsList).toEqual([
      { key: 'team', value: 'ops' },
    ]);

    // An invalid tag reaches the client as InvalidTagParameterException; the tag rules are service-tier tests.
    await trailFails(
      app,
      'addTags',
      { resourceId: arn, tagsList: [{ key: 'aws:owner', value: 'v' }] },
      admin,
      'InvalidTagParameterException',
    );
    // Tags given at creation are stored too.
    const created = await trailCall(
      app,
      'createTrail',
      { name: 'tagged-trail', s3BucketName: 'selector-logs', tagsList: [{ key: 'a', value: 'b' }] },
      admin,
    );
    expect((await trailCall(app, 'listTags', { resourceIdList: [created.trailARN] }, admin)).resourceTagList[0].tagsList).toEqual([
      { key: 'a', value: 'b' },
    ]);
  });
});
