import type { Caller, RequestMeta } from '../../common/request-context';
import { defineOperations } from '../../graphql/operation-spec';
import { eventDataStoreArn } from '../event-data-store-names';
import { compileLakeQuery } from '../sql/lake-sql.compiler';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

const storesPattern = (caller: Caller, meta: RequestMeta) => eventDataStoreArn(meta.region, caller.accountId, '*');

/**
 * StartQuery is authorized against the first store the statement names (the service then checks
 * cloudtrail:StartQuery on every store it names); a statement that does not compile is checked
 * against the account's stores and rejected by the service with InvalidQueryStatementException.
 */
const firstStoreOfStatement = (args: Record<string, any>, caller: Caller, meta: RequestMeta): string => {
  try {
    const ids = compileLakeQuery(String(args.input?.queryStatement ?? '')).storeIds;
    if (ids.length) return eventDataStoreArn(meta.region, caller.accountId, ids[0]);
  } catch {
    // fall through
  }
  return storesPattern(caller, meta);
};
const byStore = (args: Record<string, any>, caller: Caller, meta: RequestMeta): string => {
  const value = args.input?.eventDataStore;
  if (typeof value === 'string' && /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\/[0-9a-f-]{36}$/.test(value)) return value;
  if (typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value)) return eventDataStoreArn(meta.region, caller.accountId, value);
  return storesPattern(caller, meta);
};

export const LAKE_QUERY_OPERATIONS = defineOperations({
  startQuery: { eventSource: CLOUDTRAIL, eventName: 'StartQuery', action: 'cloudtrail:StartQuery', resource: firstStoreOfStatement },
  describeQuery: { eventSource: CLOUDTRAIL, eventName: 'DescribeQuery', action: 'cloudtrail:DescribeQuery', resource: byStore },
  getQueryResults: { eventSource: CLOUDTRAIL, eventName: 'GetQueryResults', action: 'cloudtrail:GetQueryResults', resource: byStore },
  listQueries: { eventSource: CLOUDTRAIL, eventName: 'ListQueries', action: 'cloudtrail:ListQueries', resource: byStore },
  cancelQuery: { eventSource: CLOUDTRAIL, eventName: 'CancelQuery', action: 'cloudtrail:CancelQuery', resource: byStore },
});
