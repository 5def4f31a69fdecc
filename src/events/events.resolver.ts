import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { eventTimeOf } from './event-history.service';
import type { StoredEventRow } from './event.repository';
import { HistoryEvent, LookupEventsConnection, LookupEventsInput, RecordEventsInput, RecordEventsResult } from './events.types';

function toHistoryEvent(r: StoredEventRow): HistoryEvent {
  return {
    eventId: r.event_id,
    eventName: r.event_name,
    eventTime: eventTimeOf(r),
    eventSource: r.event_source,
    username: r.username,
    readOnly: r.read_only === null ? null : String(r.read_only),
    accessKeyId: r.access_key_id,
    resources: r.resource_types.map((type, i) => ({ resourceType: type || null, resourceName: r.resource_names[i] || null })),
    cloudTrailEvent: r.record,
  };
}

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class EventsResolver {
  @Operation({
    // Up to 1 MB of events would bloat every audit record: record their count and ids instead.
    auditRequest: (args) => {
      const events: unknown[] = Array.isArray(args.input?.events) ? args.input.events : [];
      return { eventCount: events.length };
    },
    auditResponse: (result) => {
      const r = result as { successful?: unknown[]; failed?: Array<{ errorCode: string }> };
      return { successfulCount: r.successful?.length ?? 0, failedCount: r.failed?.length ?? 0 };
    },
  })
  @Mutation(() => RecordEventsResult, { description: "Records up to 100 CloudTrail events (1 MB) in the caller's account, as PutAuditEvents." })
  recordEvents(@Arg('input', () => RecordEventsInput) input: RecordEventsInput, @Ctx() ctx: GraphQLContext): Promise<RecordEventsResult> {
    return ctx.services.eventRecorder.recordEvents(requestContext(ctx), input.events);
  }

  @Operation()
  @Query(() => LookupEventsConnection, { description: "Event history of the caller's account and region (LookupEvents), newest first." })
  async lookupEvents(
    @Arg('input', () => LookupEventsInput, { nullable: true }) input: LookupEventsInput | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LookupEventsConnection> {
    const page = await ctx.services.eventHistory.lookupEvents(requestContext(ctx), input ?? {}, first, after);
    return {
      edges: page.rows.map((r, i) => ({ node: toHistoryEvent(r), cursor: page.cursors[i] })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }
}
