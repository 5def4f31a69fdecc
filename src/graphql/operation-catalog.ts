import { AUTH_OPERATIONS } from '../auth/auth.operations';
import { CHANNEL_OPERATIONS } from '../lake/channels/channels.operations';
import { EVENT_OPERATIONS } from '../events/events.operations';
import { INSIGHTS_OPERATIONS } from '../insights/insights.operations';
import { KMS_OPERATIONS } from '../kms/kms.operations';
import { INTEGRITY_OPERATIONS } from '../integrity/integrity.operations';
import { LAKE_STORE_OPERATIONS } from '../lake/lake-store.operations';
import { LAKE_QUERY_OPERATIONS } from '../lake/query/lake-query.operations';
import { ORGANIZATIONS_OPERATIONS } from '../organizations/organizations.operations';
import { IAM_OPERATIONS } from '../principals/iam.operations';
import { REGION_OPERATIONS } from '../regions/regions.operations';
import { STORAGE_OPERATIONS } from '../storage/storage.operations';
import { STREAMING_OPERATIONS } from '../streaming/streaming.operations';
import { TRAIL_OPERATIONS } from '../trails/trails.operations';
import type { OperationSpecs } from './operation-spec';

/** Every root field's authorization and audit spec, merged from the domains. */
export const OPERATION_CATALOG: OperationSpecs = {
  ...AUTH_OPERATIONS,
  ...REGION_OPERATIONS,
  ...IAM_OPERATIONS,
  ...ORGANIZATIONS_OPERATIONS,
  ...EVENT_OPERATIONS,
  ...STORAGE_OPERATIONS,
  ...TRAIL_OPERATIONS,
  ...STREAMING_OPERATIONS,
  ...INSIGHTS_OPERATIONS,
  ...KMS_OPERATIONS,
  ...INTEGRITY_OPERATIONS,
  ...LAKE_STORE_OPERATIONS,
  ...LAKE_QUERY_OPERATIONS,
  ...CHANNEL_OPERATIONS,
};
