/**
 * The eventCategory of a record that does not state one, from the rest of its evidence, as
 * CloudTrail would have written it (spec §1.2, §2.3). Records before eventVersion 1.07 carry no
 * eventCategory, and before 1.06 no managementEvent either: a data event of those versions
 * (an S3 CopyObject, a Lambda Invoke) must not turn into a management event here, or it would
 * land in event history and in management-only stores, contradicting its own record.
 */

/** Data-plane APIs of the services whose data events predate eventCategory (spec §4.3). */
const DATA_API_NAMES: Record<string, ReadonlySet<string>> = {
  's3.amazonaws.com': new Set([
    'AbortMultipartUpload',
    'CompleteMultipartUpload',
    'CopyObject',
    'CreateMultipartUpload',
    'DeleteObject',
    'DeleteObjects',
    'DeleteObjectTagging',
    'GetObject',
    'GetObjectAcl',
    'GetObjectAttributes',
    'GetObjectLegalHold',
    'GetObjectRetention',
    'GetObjectTagging',
    'GetObjectTorrent',
    'HeadObject',
    'ListMultipartUploadParts',
    'ListParts',
    'PutObject',
    'PutObjectAcl',
    'PutObjectLegalHold',
    'PutObjectRetention',
    'PutObjectTagging',
    'RestoreObject',
    'SelectObjectContent',
    'UploadPart',
    'UploadPartCopy',
  ]),
  'lambda.amazonaws.com': new Set(['Invoke', 'InvokeAsync', 'InvokeWithResponseStream']),
  'dynamodb.amazonaws.com': new Set([
    'BatchExecuteStatement',
    'BatchGetItem',
    'BatchWriteItem',
    'DeleteItem',
    'ExecuteStatement',
    'ExecuteTransaction',
    'GetItem',
    'PutItem',
    'Query',
    'Scan',
    'TransactGetItems',
    'TransactWriteItems',
    'UpdateItem',
  ]),
};

/** Resource types that only data events name (an S3 object is never a management call's resource). */
const DATA_ONLY_RESOURCE_TYPES: ReadonlySet<string> = new Set(['AWS::S3::Object', 'AWS::S3Express::Object', 'AWS::S3Outposts::Object']);

export interface CategoryEvidence {
  eventType: unknown;
  managementEvent: unknown;
  eventSource: unknown;
  eventName: unknown;
  resourceTypes: readonly string[];
}

/** The category CloudTrail would have recorded for a record without eventCategory. */
export function inferEventCategory(evidence: CategoryEvidence): string {
  if (evidence.eventType === 'AwsCloudTrailInsight') return 'Insight';
  if (evidence.eventType === 'AwsVpceEvent') return 'NetworkActivity';
  if (typeof evidence.managementEvent === 'boolean') return evidence.managementEvent ? 'Management' : 'Data';
  const dataApis = typeof evidence.eventSource === 'string' ? DATA_API_NAMES[evidence.eventSource] : undefined;
  if (dataApis && typeof evidence.eventName === 'string' && dataApis.has(evidence.eventName)) return 'Data';
  if (evidence.resourceTypes.some((t) => DATA_ONLY_RESOURCE_TYPES.has(t))) return 'Data';
  return 'Management';
}
