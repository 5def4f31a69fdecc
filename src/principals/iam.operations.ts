import { arns } from '../common/arn';
import type { Caller } from '../common/request-context';
import { defineOperations } from '../graphql/operation-spec';

const IAM = 'iam.amazonaws.com';

// IAM actions are authorized against the target principal's ARN in the caller's account. The
// path is not known before the lookup, so the ARN is path-less; `user/*` style patterns match
// both forms.
const userArn = (args: Record<string, any>, caller: Caller): string => {
  const name = args.input?.userName;
  if (typeof name === 'string') return arns.user(caller.accountId, name);
  // No name: the calling user itself (a role session gets a ValidationError from the service).
  return caller.identity.type === 'IAMUser' ? caller.identity.arn : arns.user(caller.accountId, '*');
};
const roleArn = (args: Record<string, any>, caller: Caller): string => arns.role(caller.accountId, String(args.input?.roleName ?? '*'));
const allUsers = (_args: Record<string, any>, caller: Caller) => arns.user(caller.accountId, '*');
const allRoles = (_args: Record<string, any>, caller: Caller) => arns.role(caller.accountId, '*');

export const IAM_OPERATIONS = defineOperations({
  createUser: { eventSource: IAM, eventName: 'CreateUser', action: 'iam:CreateUser', resource: userArn },
  getUser: { eventSource: IAM, eventName: 'GetUser', action: 'iam:GetUser', resource: userArn },
  listUsers: { eventSource: IAM, eventName: 'ListUsers', action: 'iam:ListUsers', resource: allUsers },
  createRole: { eventSource: IAM, eventName: 'CreateRole', action: 'iam:CreateRole', resource: roleArn },
  listRoles: { eventSource: IAM, eventName: 'ListRoles', action: 'iam:ListRoles', resource: allRoles },
  createAccessKey: { eventSource: IAM, eventName: 'CreateAccessKey', action: 'iam:CreateAccessKey', resource: userArn },
  deleteAccessKey: { eventSource: IAM, eventName: 'DeleteAccessKey', action: 'iam:DeleteAccessKey', resource: userArn },
  listAccessKeys: { eventSource: IAM, eventName: 'ListAccessKeys', action: 'iam:ListAccessKeys', resource: userArn },
  putUserPolicy: { eventSource: IAM, eventName: 'PutUserPolicy', action: 'iam:PutUserPolicy', resource: userArn },
  putRolePolicy: { eventSource: IAM, eventName: 'PutRolePolicy', action: 'iam:PutRolePolicy', resource: roleArn },
  attachUserPolicy: { eventSource: IAM, eventName: 'AttachUserPolicy', action: 'iam:AttachUserPolicy', resource: userArn },
  attachRolePolicy: { eventSource: IAM, eventName: 'AttachRolePolicy', action: 'iam:AttachRolePolicy', resource: roleArn },
  listPolicies: { eventSource: IAM, eventName: 'ListPolicies', action: 'iam:ListPolicies' },
});
