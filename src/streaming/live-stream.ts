import type { GraphQLResolveInfo } from 'graphql';
import { subjectOf } from '../auth/authenticator';
import { authorizationMiddleware } from '../graphql/authorization.middleware';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { operationCatalog } from '../graphql/operation-catalog';
import { toEventBridgeEnvelope } from './event-envelope';
import { compileEventPattern } from './event-pattern';
import type { LiveMessage } from './live-events.hub';
import type { LiveEvent } from './streaming.types';

/** Buffered events per subscriber; a client that falls this far behind loses the oldest. */
const MAX_BUFFERED = 10_000;

/**
 * The `events` subscription: authorizes like any root field (the same middleware and catalog
 * entry), records one self-audit event when the stream starts, then yields the account's new
 * events of the connection's region that match the pattern. The hub only ever subscribes to the
 * caller's own account channel.
 */
export async function liveEventStream(
  args: { pattern?: string | null },
  context: GraphQLContext,
  info: GraphQLResolveInfo,
): Promise<AsyncIterable<LiveEvent>> {
  await authorizationMiddleware({ context, info, args, root: undefined }, async () => undefined);
  const ctx = requestContext(context);
  const pattern = args.pattern ? compileEventPattern(args.pattern) : null;
  const spec = operationCatalog().events!;
  await context.services.apiCallRecorder.recordApiCalls([
    {
      meta: context.meta,
      subject: subjectOf(ctx.caller),
      eventTime: new Date(),
      eventSource: spec.eventSource,
      eventName: spec.eventName,
      readOnly: true,
      managementEvent: true,
      requestParameters: { pattern: args.pattern ?? null },
      responseElements: null,
    },
  ]);

  const buffer: LiveEvent[] = [];
  let wake: (() => void) | null = null;
  const accountId = ctx.caller.accountId;
  const onMessage = (message: LiveMessage) => {
    for (const { region, record } of message.events) {
      if (region !== ctx.region) continue;
      const parsed = JSON.parse(record) as Record<string, unknown>;
      if (parsed.recipientAccountId !== undefined && parsed.recipientAccountId !== accountId) continue;
      if (pattern && !pattern(toEventBridgeEnvelope(accountId, parsed))) continue;
      buffer.push({
        eventId: String(parsed.eventID),
        eventName: String(parsed.eventName),
        eventTime: String(parsed.eventTime),
        eventSource: String(parsed.eventSource),
        cloudTrailEvent: record,
      });
      if (buffer.length > MAX_BUFFERED) buffer.shift();
    }
    wake?.();
  };
  const unsubscribe = await context.services.liveEvents.subscribe(accountId, onMessage);
  let done = false;

  const iterator: AsyncIterableIterator<LiveEvent> = {
    async next() {
      while (!done && buffer.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (done) return { done: true, value: undefined };
      return { done: false, value: buffer.shift()! };
    },
    async return() {
      done = true;
      wake?.();
      await unsubscribe();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
