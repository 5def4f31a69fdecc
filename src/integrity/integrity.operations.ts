import { defineOperations } from '../graphql/operation-spec';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

export const INTEGRITY_OPERATIONS = defineOperations({
  listPublicKeys: { eventSource: CLOUDTRAIL, eventName: 'ListPublicKeys', action: 'cloudtrail:ListPublicKeys' },
  // Authorized as DescribeTrails on the trail; the validation then checks each read it makes
  // (ListPublicKeys, s3:ListBucket, s3:GetObject) against the caller's policies, as the CLI's
  // own calls would be (spec §6.8). A query: audited readOnly, without the result list.
  validateLogs: {
    eventSource: CLOUDTRAIL,
    eventName: 'ValidateLogs',
    action: 'cloudtrail:DescribeTrails',
    resource: (args) => (typeof args.input?.trailArn === 'string' && args.input.trailArn.startsWith('arn:') ? args.input.trailArn : '*'),
  },
});
