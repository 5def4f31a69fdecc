import { REDACTED } from '../common/api-call';
import { defineOperations } from '../graphql/operation-spec';
import { ACCESS_KEY_ID } from './credentials';

export const AUTH_OPERATIONS = defineOperations({
  createSession: {
    eventSource: 'sts.amazonaws.com',
    eventName: 'CreateSession',
    action: null,
    public: true,
    // Never the secret; and the key id only when it is one: anything else may be a secret pasted
    // into the wrong field (a throttled or otherwise failed attempt is recorded with these).
    auditRequest: (args) => ({
      input: {
        accessKeyId: ACCESS_KEY_ID.test(String(args.input?.accessKeyId ?? '')) ? args.input.accessKeyId : REDACTED,
        secretAccessKey: REDACTED,
        ...(args.input?.durationSeconds !== undefined ? { durationSeconds: args.input.durationSeconds } : {}),
      },
    }),
  },
  assumeRole: {
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    action: 'sts:AssumeRole',
    resource: (args) => String(args.input?.roleArn ?? '*'),
  },
  getCallerIdentity: { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', action: null },
});
