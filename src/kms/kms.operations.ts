import { defineOperations } from '../graphql/operation-spec';
import { keyResource } from './key-ids';

const KMS = 'kms.amazonaws.com';
const key = (args: Record<string, any>, caller: { accountId: string }, meta: { region: string }) => keyResource(args.input?.keyId, meta.region, caller.accountId);
/** Policies are recorded by name only, as KMS's own events do not echo policy documents in full either. */
const withoutPolicy = (args: Record<string, any>) => {
  const { policy: _policy, ...rest } = (args.input ?? {}) as Record<string, unknown>;
  return rest;
};

// Resources are key ARNs (arn:aws:kms:<region>:<account>:key/<id>), as IAM policies name them.
export const KMS_OPERATIONS = defineOperations({
  createKey: { eventSource: KMS, eventName: 'CreateKey', action: 'kms:CreateKey', auditRequest: withoutPolicy },
  describeKey: { eventSource: KMS, eventName: 'DescribeKey', action: 'kms:DescribeKey', resource: key },
  listKeys: { eventSource: KMS, eventName: 'ListKeys', action: 'kms:ListKeys' },
  enableKey: { eventSource: KMS, eventName: 'EnableKey', action: 'kms:EnableKey', resource: key },
  disableKey: { eventSource: KMS, eventName: 'DisableKey', action: 'kms:DisableKey', resource: key },
  scheduleKeyDeletion: { eventSource: KMS, eventName: 'ScheduleKeyDeletion', action: 'kms:ScheduleKeyDeletion', resource: key },
  cancelKeyDeletion: { eventSource: KMS, eventName: 'CancelKeyDeletion', action: 'kms:CancelKeyDeletion', resource: key },
  putKeyPolicy: { eventSource: KMS, eventName: 'PutKeyPolicy', action: 'kms:PutKeyPolicy', resource: key, auditRequest: withoutPolicy },
  getKeyPolicy: { eventSource: KMS, eventName: 'GetKeyPolicy', action: 'kms:GetKeyPolicy', resource: key },
});
