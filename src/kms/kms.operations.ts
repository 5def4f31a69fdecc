import { defineOperations } from '../graphql/operation-spec';

const KMS = 'kms.amazonaws.com';
/** Policy documents are not copied into the audit log (up to 32 KB each). */
const withoutPolicy = (args: Record<string, any>) => {
  const { policy: _policy, ...rest } = (args.input ?? {}) as Record<string, unknown>;
  return rest;
};

/*
 * CreateKey and ListKeys have no key yet: IAM alone decides (checked by the middleware). Calls on
 * a key are authorized by KmsService instead (`action: null` here): KMS's rule is key policy AND
 * IAM, where a key policy naming the principal itself needs no IAM grant — a middleware IAM check
 * would wrongly refuse those callers. The IAM actions are kms:<EventName> on the key ARN
 * (arn:aws:kms:<region>:<account>:key/<id>).
 */
export const KMS_OPERATIONS = defineOperations({
  createKey: { eventSource: KMS, eventName: 'CreateKey', action: 'kms:CreateKey', auditRequest: withoutPolicy },
  listKeys: { eventSource: KMS, eventName: 'ListKeys', action: 'kms:ListKeys' },
  describeKey: { eventSource: KMS, eventName: 'DescribeKey', action: null },
  enableKey: { eventSource: KMS, eventName: 'EnableKey', action: null },
  disableKey: { eventSource: KMS, eventName: 'DisableKey', action: null },
  scheduleKeyDeletion: { eventSource: KMS, eventName: 'ScheduleKeyDeletion', action: null },
  cancelKeyDeletion: { eventSource: KMS, eventName: 'CancelKeyDeletion', action: null },
  putKeyPolicy: { eventSource: KMS, eventName: 'PutKeyPolicy', action: null, auditRequest: withoutPolicy },
  getKeyPolicy: { eventSource: KMS, eventName: 'GetKeyPolicy', action: null },
  // Aliases: IAM on the alias ARN and the key policy of each key involved, both checked by KmsAliasService.
  createAlias: { eventSource: KMS, eventName: 'CreateAlias', action: null },
  updateAlias: { eventSource: KMS, eventName: 'UpdateAlias', action: null },
  deleteAlias: { eventSource: KMS, eventName: 'DeleteAlias', action: null },
  listAliases: { eventSource: KMS, eventName: 'ListAliases', action: 'kms:ListAliases' },
});
