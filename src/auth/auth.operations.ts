import { defineOperations } from '../graphql/operation-spec';

export const AUTH_OPERATIONS = defineOperations({
  createSession: { eventSource: 'sts.amazonaws.com', eventName: 'CreateSession', action: null, public: true },
  assumeRole: {
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    action: 'sts:AssumeRole',
    resource: (args) => String(args.input?.roleArn ?? '*'),
  },
  getCallerIdentity: { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', action: null },
});
