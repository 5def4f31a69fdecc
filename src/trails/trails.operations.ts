import type { Caller, RequestMeta } from '../common/request-context';
import { defineOperations } from '../graphql/operation-spec';
import { storeArnOf } from '../lake/event-data-store-names';
import { trailArn } from './trail-names';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

/**
 * The trail ARN an operation is authorized against: the ARN when one was passed, else the
 * caller's trail of that name in the request's region. Malformed names fall back to the
 * account's trail/* pattern; the service rejects them with InvalidTrailNameException.
 */
const arnOf = (value: unknown, caller: Caller, meta: RequestMeta): string => {
  if (typeof value === 'string' && value.startsWith('arn:')) return value;
  const name = typeof value === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(value) ? value : '*';
  return trailArn(meta.region, caller.accountId, name);
};
const byName = (args: Record<string, any>, caller: Caller, meta: RequestMeta) => arnOf(args.input?.name, caller, meta);
const byTrailName = (args: Record<string, any>, caller: Caller, meta: RequestMeta) => arnOf(args.input?.trailName, caller, meta);
/** PutInsightSelectors/GetInsightSelectors name a trail or, for Lake Insights, a source event data store. */
const byTrailOrStore = (args: Record<string, any>, caller: Caller, meta: RequestMeta) =>
  args.input?.eventDataStore && !args.input?.trailName ? storeArnOf(args.input.eventDataStore, caller, meta) : arnOf(args.input?.trailName, caller, meta);
const byResourceId = (args: Record<string, any>, caller: Caller, meta: RequestMeta) => arnOf(args.input?.resourceId, caller, meta);
const allTrails = (_args: Record<string, any>, caller: Caller, meta: RequestMeta) => trailArn(meta.region, caller.accountId, '*');

export const TRAIL_OPERATIONS = defineOperations({
  createTrail: { eventSource: CLOUDTRAIL, eventName: 'CreateTrail', action: 'cloudtrail:CreateTrail', resource: byName },
  updateTrail: { eventSource: CLOUDTRAIL, eventName: 'UpdateTrail', action: 'cloudtrail:UpdateTrail', resource: byName },
  deleteTrail: { eventSource: CLOUDTRAIL, eventName: 'DeleteTrail', action: 'cloudtrail:DeleteTrail', resource: byName },
  getTrail: { eventSource: CLOUDTRAIL, eventName: 'GetTrail', action: 'cloudtrail:GetTrail', resource: byName },
  describeTrails: { eventSource: CLOUDTRAIL, eventName: 'DescribeTrails', action: 'cloudtrail:DescribeTrails', resource: allTrails },
  listTrails: { eventSource: CLOUDTRAIL, eventName: 'ListTrails', action: 'cloudtrail:ListTrails', resource: allTrails },
  getTrailStatus: { eventSource: CLOUDTRAIL, eventName: 'GetTrailStatus', action: 'cloudtrail:GetTrailStatus', resource: byName },
  startLogging: { eventSource: CLOUDTRAIL, eventName: 'StartLogging', action: 'cloudtrail:StartLogging', resource: byName },
  stopLogging: { eventSource: CLOUDTRAIL, eventName: 'StopLogging', action: 'cloudtrail:StopLogging', resource: byName },
  putEventSelectors: { eventSource: CLOUDTRAIL, eventName: 'PutEventSelectors', action: 'cloudtrail:PutEventSelectors', resource: byTrailName },
  getEventSelectors: { eventSource: CLOUDTRAIL, eventName: 'GetEventSelectors', action: 'cloudtrail:GetEventSelectors', resource: byTrailName },
  putInsightSelectors: { eventSource: CLOUDTRAIL, eventName: 'PutInsightSelectors', action: 'cloudtrail:PutInsightSelectors', resource: byTrailOrStore },
  getInsightSelectors: { eventSource: CLOUDTRAIL, eventName: 'GetInsightSelectors', action: 'cloudtrail:GetInsightSelectors', resource: byTrailOrStore },
  addTags: { eventSource: CLOUDTRAIL, eventName: 'AddTags', action: 'cloudtrail:AddTags', resource: byResourceId },
  removeTags: { eventSource: CLOUDTRAIL, eventName: 'RemoveTags', action: 'cloudtrail:RemoveTags', resource: byResourceId },
  listTags: { eventSource: CLOUDTRAIL, eventName: 'ListTags', action: 'cloudtrail:ListTags', resource: allTrails },
});
