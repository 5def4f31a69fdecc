/** ARN builders in one place so every module spells them the same way (spec §1.3). */
export const PARTITION = 'aws';

export const arns = {
  accountRoot: (accountId: string) => `arn:${PARTITION}:iam::${accountId}:root`,
  user: (accountId: string, userName: string, path = '/') => `arn:${PARTITION}:iam::${accountId}:user${path}${userName}`,
  role: (accountId: string, roleName: string, path = '/') => `arn:${PARTITION}:iam::${accountId}:role${path}${roleName}`,
  assumedRole: (accountId: string, roleName: string, sessionName: string) =>
    `arn:${PARTITION}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
  managedPolicy: (name: string) => `arn:${PARTITION}:iam::aws:policy/${name}`,
  organization: (managementAccountId: string, organizationId: string) =>
    `arn:${PARTITION}:organizations::${managementAccountId}:organization/${organizationId}`,
  organizationAccount: (managementAccountId: string, organizationId: string, accountId: string) =>
    `arn:${PARTITION}:organizations::${managementAccountId}:account/${organizationId}/${accountId}`,
  cloudtrail: (region: string, accountId: string, resource: string) => `arn:${PARTITION}:cloudtrail:${region}:${accountId}:${resource}`,
};
