import type { ManagedPolicyView } from './iam.service';
import type { IamRole, IamUser, ManagedPolicy } from './iam.types';
import type { RoleEntity } from './role.entity';
import type { UserEntity } from './user.entity';

/** Storage → API shapes: IAM calls the unique ids userId/roleId and the creation time createDate. */
export function toIamUser(u: UserEntity): IamUser {
  return { userName: u.userName, userId: u.principalId, arn: u.arn, path: u.path, createDate: u.createdAt };
}

export function toIamRole(r: RoleEntity): IamRole {
  return {
    roleName: r.roleName,
    roleId: r.principalId,
    arn: r.arn,
    path: r.path,
    description: r.description,
    maxSessionDuration: r.maxSessionDuration,
    assumeRolePolicyDocument: JSON.stringify(r.assumeRolePolicy),
    createDate: r.createdAt,
  };
}

export function toManagedPolicy(p: ManagedPolicyView): ManagedPolicy {
  return {
    policyName: p.policyName,
    arn: p.arn,
    path: '/',
    description: p.description,
    defaultVersionId: 'v1',
    isAttachable: true,
    attachmentCount: p.attachmentCount,
    policyDocument: JSON.stringify(p.document),
  };
}
