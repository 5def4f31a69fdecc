import { randomUUID } from 'node:crypto';

// Realistic CloudTrail-like records of 1-2 KB: a few hundred event names over a handful of
// services, IAM users and assumed roles, request parameters of varying size, resources.
const SERVICES = ['ec2', 's3', 'iam', 'lambda', 'dynamodb', 'kms', 'sts', 'rds', 'cloudformation', 'sns'];
const VERBS = ['Describe', 'List', 'Get', 'Create', 'Update', 'Delete', 'Put', 'Start', 'Stop', 'Modify'];
const NOUNS = [
  'Instances',
  'Buckets',
  'Users',
  'Functions',
  'Tables',
  'Keys',
  'Stacks',
  'Topics',
  'Volumes',
  'Snapshots',
  'Policies',
  'Roles',
  'Alarms',
  'Queues',
  'Images',
  'Subnets',
  'Vpcs',
  'SecurityGroups',
  'Clusters',
  'Tags',
  'Aliases',
  'Grants',
  'Layers',
  'Streams',
  'Records',
  'Versions',
  'Configs',
  'Logs',
  'Routes',
  'Targets',
];
const AGENTS = [
  'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
  'console.amazonaws.com',
  'Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux',
  'aws-sdk-js/3.490.0 ua/2.0 os/linux lang/js md/nodejs#20.10.0',
  'Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0',
];

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length];
}

export function syntheticEvent(accountId: string, region: string, eventTime: Date, i: number): Record<string, unknown> {
  const service = pick(SERVICES, i * 7);
  const verb = pick(VERBS, i * 13 + (i >> 3));
  const noun = pick(NOUNS, i * 31 + (i >> 5));
  const readOnly = ['Describe', 'List', 'Get'].includes(verb);
  const user = `user-${i % 37}`;
  const assumed = i % 3 === 0;
  const identity = assumed
    ? {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLE${i % 11}:session-${i % 17}`,
        arn: `arn:aws:sts::${accountId}:assumed-role/Role${i % 11}/session-${i % 17}`,
        accountId,
        accessKeyId: `ASIAEXAMPLE${String(i % 97).padStart(9, '0')}`,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: `AROAEXAMPLE${i % 11}`,
            arn: `arn:aws:iam::${accountId}:role/Role${i % 11}`,
            accountId,
            userName: `Role${i % 11}`,
          },
          webIdFederationData: {},
          attributes: { creationDate: eventTime.toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
        },
      }
    : {
        type: 'IAMUser',
        principalId: `AIDAEXAMPLE${i % 37}`,
        arn: `arn:aws:iam::${accountId}:user/${user}`,
        accountId,
        accessKeyId: `AKIAEXAMPLE${String(i % 89).padStart(9, '0')}`,
        userName: user,
      };
  const padding = 'x'.repeat(200 + ((i * 7919) % 700));
  return {
    eventVersion: '1.11',
    userIdentity: identity,
    eventTime: eventTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: `${service}.amazonaws.com`,
    eventName: `${verb}${noun}`,
    awsRegion: region,
    sourceIPAddress: `203.0.113.${i % 254}`,
    userAgent: pick(AGENTS, i),
    requestParameters: {
      resourceId: `${noun.toLowerCase()}-${(i * 2654435761) % 1e9}`,
      filters: [{ name: 'tag:team', values: [`team-${i % 9}`] }],
      note: padding,
    },
    responseElements: readOnly ? null : { requestId: randomUUID(), status: 'ok' },
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly,
    resources: [
      {
        ARN: `arn:aws:${service}:${region}:${accountId}:${noun.toLowerCase()}/${i % 1000}`,
        accountId,
        type: `AWS::${service.toUpperCase()}::${noun.replace(/s$/, '')}`,
      },
    ],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${service}.${region}.amazonaws.com`,
    },
  };
}
