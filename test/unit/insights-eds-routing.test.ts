import { selectInsightsDestinationEvents, selectStoreEvents } from '../../src/lake/lake-event.router';
import type { RoutableStore } from '../../src/lake/lake-routing.repository';
import type { BatchEvent } from '../../src/events/event.repository';

const MANAGEMENT = [{ Name: 'm', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];
const INSIGHT = [{ Name: 'i', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }];

const store = (id: string, over: Partial<RoutableStore> = {}): RoutableStore => ({
  id,
  accountId: '111111111111',
  region: 'us-east-1',
  multiRegionEnabled: true,
  advancedEventSelectors: MANAGEMENT,
  ...over,
});
const insight = (eventId: string, region: string, insightType: string): BatchEvent => ({
  eventId,
  eventTime: new Date('2026-01-01T10:00:00Z'),
  region,
  eventSource: '',
  eventName: '',
  eventCategory: 'Insight',
  readOnly: null,
  managementEvent: false,
  errorCode: null,
  userIdentityArn: null,
  userAgent: null,
  record: JSON.stringify({ eventID: eventId, eventCategory: 'Insight', insightDetails: { insightType } }),
});
const management = (eventId: string): BatchEvent => ({
  eventId,
  eventTime: new Date('2026-01-01T10:00:00Z'),
  region: 'us-east-1',
  eventSource: 'ssm.amazonaws.com',
  eventName: 'PutParameter',
  eventCategory: 'Management',
  readOnly: false,
  managementEvent: true,
  errorCode: null,
  userIdentityArn: null,
  userAgent: null,
  record: JSON.stringify({ eventID: eventId }),
});
const ids = (m: Map<RoutableStore, BatchEvent[]>, s: RoutableStore) => (m.get(s) ?? []).map((e) => e.eventId);

describe('Insights events to event data stores (spec §10 "EDS Insights")', () => {
  const dest = store('dest', { advancedEventSelectors: INSIGHT });
  const dest2 = store('dest2', { advancedEventSelectors: INSIGHT });

  it('go to the destination of a source that covers the region and enables the type, once even with two such sources', () => {
    const multi = store('multi', { insightSelectors: [{ InsightType: 'ApiCallRateInsight' }], insightsDestinationId: 'dest' });
    const alsoMulti = store('multi2', {
      insightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }],
      insightsDestinationId: 'dest',
    });
    const events = [insight('a', 'us-east-1', 'ApiCallRateInsight'), insight('b', 'eu-west-1', 'ApiErrorRateInsight'), management('c')];
    const out = selectInsightsDestinationEvents([multi, alsoMulti], [dest], events);
    expect(ids(out, dest)).toEqual(['a', 'b']);
  });

  it('respect a single-Region source, the enabled types, and skip destinations that are not ENABLED (absent)', () => {
    const single = store('single', {
      multiRegionEnabled: false,
      insightSelectors: [{ InsightType: 'ApiErrorRateInsight' }],
      insightsDestinationId: 'dest',
    });
    const toStopped = store('s2', { insightSelectors: [{ InsightType: 'ApiCallRateInsight' }], insightsDestinationId: 'stopped' });
    const events = [
      insight('a', 'us-east-1', 'ApiCallRateInsight'),
      insight('b', 'eu-west-1', 'ApiErrorRateInsight'),
      insight('c', 'us-east-1', 'ApiErrorRateInsight'),
    ];
    const out = selectInsightsDestinationEvents([single, toStopped], [dest, dest2], events);
    expect(ids(out, dest)).toEqual(['c']);
    expect(out.has(dest2)).toBe(false);
    expect(out.size).toBe(1);
  });

  it('never reach a management store through its selectors', () => {
    const source = store('src', { insightSelectors: [{ InsightType: 'ApiCallRateInsight' }], insightsDestinationId: 'dest' });
    const out = selectStoreEvents([source], [insight('a', 'us-east-1', 'ApiCallRateInsight'), management('b')]);
    expect(ids(out, source)).toEqual(['b']);
  });
});
