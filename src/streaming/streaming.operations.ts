import { PARTITION } from '../common/arn';
import { defineOperations } from '../graphql/operation-spec';

const ruleArn = (name: unknown, accountId: string, region: string) => `arn:${PARTITION}:events:${region}:${accountId}:rule/${String(name ?? '*')}`;
const topicResource = (name: unknown, accountId: string, region: string) => {
  const value = String(name ?? '*');
  return value.startsWith('arn:') ? value : `arn:${PARTITION}:sns:${region}:${accountId}:${value}`;
};
/** Signing secrets never reach the audit log. */
const withoutSecret = (result: unknown) => {
  const { signingSecret: _secret, ...rest } = (result ?? {}) as Record<string, unknown>;
  return rest;
};

export const STREAMING_OPERATIONS = defineOperations({
  createTopic: {
    eventSource: 'sns.amazonaws.com', eventName: 'CreateTopic', action: 'sns:CreateTopic',
    resource: (args, caller, meta) => topicResource(args.input?.name, caller.accountId, meta.region),
    auditResponse: withoutSecret,
  },
  listTopics: { eventSource: 'sns.amazonaws.com', eventName: 'ListTopics', action: 'sns:ListTopics' },
  deleteTopic: {
    eventSource: 'sns.amazonaws.com', eventName: 'DeleteTopic', action: 'sns:DeleteTopic',
    resource: (args, caller, meta) => topicResource(args.topicArn, caller.accountId, meta.region),
  },
  putEventRule: {
    eventSource: 'events.amazonaws.com', eventName: 'PutRule', action: 'events:PutRule',
    resource: (args, caller, meta) => ruleArn(args.input?.name, caller.accountId, meta.region),
    auditResponse: withoutSecret,
  },
  listEventRules: { eventSource: 'events.amazonaws.com', eventName: 'ListRules', action: 'events:ListRules' },
  deleteEventRule: {
    eventSource: 'events.amazonaws.com', eventName: 'DeleteRule', action: 'events:DeleteRule',
    resource: (args, caller, meta) => ruleArn(args.name, caller.accountId, meta.region),
  },
  listDeadLetters: {
    eventSource: 'events.amazonaws.com', eventName: 'ListDeadLetters', action: 'events:ListDeadLetters',
    resource: (args, caller, meta) => ruleArn(args.input?.ruleName, caller.accountId, meta.region),
  },
  redriveDeadLetters: {
    eventSource: 'events.amazonaws.com', eventName: 'RedriveDeadLetters', action: 'events:RedriveDeadLetters',
    resource: (args, caller, meta) => ruleArn(args.input?.ruleName, caller.accountId, meta.region),
  },
  /** The live subscription: reading events, so LookupEvents' permission; audited once when it starts. */
  events: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartLiveEventStream', action: 'cloudtrail:LookupEvents' },
});
