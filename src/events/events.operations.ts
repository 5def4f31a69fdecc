import { defineOperations } from '../graphql/operation-spec';

export const EVENT_OPERATIONS = defineOperations({
  recordEvents: {
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'RecordEvents',
    action: 'cloudtrail:RecordEvents',
    // Up to 1 MB of events would bloat every audit record: record their count and ids instead.
    auditRequest: (args) => {
      const events: unknown[] = Array.isArray(args.input?.events) ? args.input.events : [];
      return { eventCount: events.length };
    },
    auditResponse: (result) => {
      const r = result as { successful?: unknown[]; failed?: Array<{ errorCode: string }> };
      return { successfulCount: r.successful?.length ?? 0, failedCount: r.failed?.length ?? 0 };
    },
  },
  lookupEvents: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'LookupEvents', action: 'cloudtrail:LookupEvents' },
});
