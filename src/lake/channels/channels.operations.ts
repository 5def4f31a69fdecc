import type { Caller, RequestMeta } from '../../common/request-context';
import { defineOperations } from '../../graphql/operation-spec';
import { channelArn } from './channel-names';

const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const CLOUDTRAIL_DATA = 'cloudtrail-data.amazonaws.com';

/** The channel ARN authorized: the ARN given, the caller's channel of that ID, else channel/*. */
const channelArnOf = (value: unknown, caller: Caller, meta: RequestMeta): string => {
  if (typeof value === 'string' && /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:channel\/[0-9a-f-]{36}$/.test(value)) return value;
  const id = typeof value === 'string' && /^[0-9a-f-]{36}$/.test(value) ? value : '*';
  return channelArn(meta.region, caller.accountId, id);
};
const byChannel = (args: Record<string, any>, caller: Caller, meta: RequestMeta) => channelArnOf(args.input?.channel, caller, meta);
const allChannels = (_args: Record<string, any>, caller: Caller, meta: RequestMeta) => channelArn(meta.region, caller.accountId, '*');

export const CHANNEL_OPERATIONS = defineOperations({
  createChannel: { eventSource: CLOUDTRAIL, eventName: 'CreateChannel', action: 'cloudtrail:CreateChannel', resource: allChannels },
  getChannel: { eventSource: CLOUDTRAIL, eventName: 'GetChannel', action: 'cloudtrail:GetChannel', resource: byChannel },
  listChannels: { eventSource: CLOUDTRAIL, eventName: 'ListChannels', action: 'cloudtrail:ListChannels', resource: allChannels },
  updateChannel: { eventSource: CLOUDTRAIL, eventName: 'UpdateChannel', action: 'cloudtrail:UpdateChannel', resource: byChannel },
  deleteChannel: { eventSource: CLOUDTRAIL, eventName: 'DeleteChannel', action: 'cloudtrail:DeleteChannel', resource: byChannel },
  // A data event of cloudtrail-data (spec §9.2). The events' contents are not copied into the
  // audit record (up to 1 MB; they are stored in the Lake): only the channel and the counts.
  putAuditEvents: {
    eventSource: CLOUDTRAIL_DATA,
    eventName: 'PutAuditEvents',
    action: 'cloudtrail-data:PutAuditEvents',
    resource: (args, caller, meta) => channelArnOf(args.input?.channelArn, caller, meta),
    dataEvent: true,
    auditRequest: (args) => ({
      channelArn: typeof args.input?.channelArn === 'string' ? args.input.channelArn.slice(0, 256) : null,
      externalIdPresent: typeof args.input?.externalId === 'string',
      auditEventCount: Array.isArray(args.input?.auditEvents) ? args.input.auditEvents.length : 0,
    }),
    auditResponse: (result) => {
      const r = result as { successful?: unknown[]; failed?: unknown[] } | null;
      return { successfulCount: r?.successful?.length ?? 0, failedCount: r?.failed?.length ?? 0 };
    },
  },
});
