import { OpenTrailError } from '../../common/errors';

/** CloudTrail Lake query exceptions (spec §8.2, §13). */
export const LakeQueryErrors = {
  queryNotFound: (id: string) =>
    new OpenTrailError('QueryIdNotFoundException', `The query ID ${id.slice(0, 64)} does not exist or has expired.`, 404),
  maxConcurrent: (max: number) =>
    new OpenTrailError(
      'MaxConcurrentQueriesException',
      `You are already running the maximum number of concurrent queries (${max}). Wait a minute for some queries to finish, and then run the query again.`,
    ),
  inactiveQuery: (id: string, status: string) =>
    new OpenTrailError('InactiveQueryException', `The query ${id.slice(0, 64)} is ${status} and cannot be cancelled.`),
  invalidQueryStatus: (status: string) =>
    new OpenTrailError(
      'InvalidQueryStatusException',
      `The query status ${status.slice(0, 32)} is not valid; use QUEUED, RUNNING, FINISHED, FAILED, CANCELLED or TIMED_OUT.`,
    ),
  invalidDateRange: () => new OpenTrailError('InvalidDateRangeException', 'The startTime must be before the endTime.'),
  invalidMaxResults: () => new OpenTrailError('InvalidMaxResultsException', 'maxQueryResults must be between 1 and 1000.'),
  invalidNextToken: () => new OpenTrailError('InvalidNextTokenException', 'The nextToken is not valid.'),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  inactiveStore: (arn: string, status: string) =>
    new OpenTrailError('InactiveEventDataStoreException', `The event data store ${arn} is ${status}: it cannot be queried.`),
};
