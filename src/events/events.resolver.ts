import { Arg, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import type { EventHistoryService } from './event-history.service';
import type { EventRecorderService } from './event-recorder.service';
import { toHistoryEvent } from './history-event.mappers';
import { LookupEventsConnection, LookupEventsInput, RecordEventsInput, RecordEventsResult } from './events.types';

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class EventsResolver {
  constructor(
    private readonly recorder: EventRecorderService,
    private readonly history: EventHistoryService,
  ) {}

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
  @Mutation(() => RecordEventsResult, {
    description: "Records up to 100 CloudTrail events (1 MB) in the caller's account, as PutAuditEvents.",
  })
  recordEvents(
    @Arg('input', () => RecordEventsInput) input: RecordEventsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<RecordEventsResult> {
    return this.recorder.recordEvents(request, input.events);
  }

  @Operation()
  @Query(() => LookupEventsConnection, { description: "Event history of the caller's account and region (LookupEvents), newest first." })
  async lookupEvents(
    @Arg('input', () => LookupEventsInput, { nullable: true }) input: LookupEventsInput | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @CallerRequest() request: RequestContext,
  ): Promise<LookupEventsConnection> {
    const page = await this.history.lookupEvents(request, input ?? {}, first, after);
    return {
      edges: page.rows.map((r, i) => ({ node: toHistoryEvent(r), cursor: page.cursors[i] })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }
}
