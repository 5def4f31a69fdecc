import type { Caller, RequestMeta } from '../common/request-context';
import { defineOperations } from '../graphql/operation-spec';
import { eventDataStoreArn } from './event-data-store-names';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

/**
 * The store ARN an operation is authorized against: the ARN when one was passed, the caller's
 * store of that ID otherwise; malformed values fall back to the account's eventdatastore/*
 * pattern and the service rejects them with EventDataStoreARNInvalidException.
 */
export const storeArnOf = (value: unknown, caller: Caller, meta: RequestMeta): string => {
  if (typeof value === 'string' && /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\/[0-9a-f-]{36}$/.test(value)) return value;
  const id = typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value) ? value : '*';
  return eventDataStoreArn(meta.region, caller.accountId, id);
};
const byStore = (args: Record<string, any>, caller: Caller, meta: RequestMeta) => storeArnOf(args.input?.eventDataStore, caller, meta);
const byDestination = (args: Record<string, any>, caller: Caller, meta: RequestMeta) =>
  storeArnOf(Array.isArray(args.input?.destinations) ? args.input.destinations[0] : undefined, caller, meta);
const allStores = (_args: Record<string, any>, caller: Caller, meta: RequestMeta) => eventDataStoreArn(meta.region, caller.accountId, '*');

export const LAKE_STORE_OPERATIONS = defineOperations({
  createEventDataStore: { eventSource: CLOUDTRAIL, eventName: 'CreateEventDataStore', action: 'cloudtrail:CreateEventDataStore', resource: allStores },
  getEventDataStore: { eventSource: CLOUDTRAIL, eventName: 'GetEventDataStore', action: 'cloudtrail:GetEventDataStore', resource: byStore },
  listEventDataStores: { eventSource: CLOUDTRAIL, eventName: 'ListEventDataStores', action: 'cloudtrail:ListEventDataStores', resource: allStores },
  updateEventDataStore: { eventSource: CLOUDTRAIL, eventName: 'UpdateEventDataStore', action: 'cloudtrail:UpdateEventDataStore', resource: byStore },
  deleteEventDataStore: { eventSource: CLOUDTRAIL, eventName: 'DeleteEventDataStore', action: 'cloudtrail:DeleteEventDataStore', resource: byStore },
  restoreEventDataStore: { eventSource: CLOUDTRAIL, eventName: 'RestoreEventDataStore', action: 'cloudtrail:RestoreEventDataStore', resource: byStore },
  startEventDataStoreIngestion: {
    eventSource: CLOUDTRAIL,
    eventName: 'StartEventDataStoreIngestion',
    action: 'cloudtrail:StartEventDataStoreIngestion',
    resource: byStore,
  },
  stopEventDataStoreIngestion: {
    eventSource: CLOUDTRAIL,
    eventName: 'StopEventDataStoreIngestion',
    action: 'cloudtrail:StopEventDataStoreIngestion',
    resource: byStore,
  },
  // Imports are authorized against the destination store (CloudTrail: the EDS ARN, or * for the rest).
  startImport: { eventSource: CLOUDTRAIL, eventName: 'StartImport', action: 'cloudtrail:StartImport', resource: byDestination },
  getImport: { eventSource: CLOUDTRAIL, eventName: 'GetImport', action: 'cloudtrail:GetImport', resource: allStores },
  stopImport: { eventSource: CLOUDTRAIL, eventName: 'StopImport', action: 'cloudtrail:StopImport', resource: allStores },
  listImports: { eventSource: CLOUDTRAIL, eventName: 'ListImports', action: 'cloudtrail:ListImports', resource: allStores },
  listImportFailures: { eventSource: CLOUDTRAIL, eventName: 'ListImportFailures', action: 'cloudtrail:ListImportFailures', resource: allStores },
});
