import type { EntityManager } from 'typeorm';
import { PARTITION } from '../common/arn';
import { OpenTrailError } from '../common/errors';
import { randomToken } from '../common/ids';
import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { JobQueues } from '../jobs/job-queues';
import { QUEUES } from '../jobs/queues';
import { type DeadLetterRow, deadLetterRepository } from './dead-letter.repository';
import { compileEventPattern } from './event-pattern';
import { EventRuleEntity } from './event-rule.entity';
import { StreamingErrors } from './streaming.errors';
import { refuseWebhookUrl } from '../common/webhooks/webhook-sender';

export const RULE_STATES = ['ENABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', 'DISABLED'] as const;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const REDRIVE_LIMIT = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEAD_LETTER_POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export interface PutEventRuleInput {
  name: string;
  eventPattern: string;
  webhookUrl: string;
  state?: string | null;
}

/** EventBridge-style rules of the caller's account and region, and their dead letters. */
export class EventRuleService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly jobs: Pick<JobQueues, 'enqueue'>,
  ) {}

  /** Creates or replaces a rule (PutRule semantics); the signing secret is returned only on creation. */
  async putEventRule(ctx: RequestContext, input: PutEventRuleInput): Promise<{ rule: EventRuleEntity; created: boolean }> {
    if (!RULE_NAME.test(input.name)) throw StreamingErrors.invalidParameter('Rule name must be 1-64 of letters, digits, ".", "-" and "_".');
    compileEventPattern(input.eventPattern); // InvalidEventPatternException
    const state = input.state ?? 'ENABLED';
    if (!(RULE_STATES as readonly string[]).includes(state)) {
      throw StreamingErrors.invalidParameter(`State must be one of ${RULE_STATES.join(', ')}.`);
    }
    const refusal = refuseWebhookUrl(input.webhookUrl, this.config);
    if (refusal) throw StreamingErrors.invalidWebhookUrl(refusal);
    const accountId = ctx.caller.accountId;
    return this.db.inTenant(tenantOf(ctx), async (manager) => {
      const existing = await manager.findOne(EventRuleEntity, {
        where: { accountId, region: ctx.region, name: input.name },
        lock: { mode: 'pessimistic_write' },
      });
      if (existing) {
        Object.assign(existing, { eventPattern: input.eventPattern, webhookUrl: input.webhookUrl, state });
        return { rule: await manager.save(existing), created: false };
      }
      const rule = Object.assign(new EventRuleEntity(), {
        accountId,
        region: ctx.region,
        name: input.name,
        arn: `arn:${PARTITION}:events:${ctx.region}:${accountId}:rule/${input.name}`,
        eventPattern: input.eventPattern,
        webhookUrl: input.webhookUrl,
        state,
        signingSecret: randomToken(32),
      });
      return { rule: await manager.save(rule), created: true };
    });
  }

  async listEventRules(ctx: RequestContext): Promise<EventRuleEntity[]> {
    return this.db.inTenant(tenantOf(ctx), (manager) =>
      manager.find(EventRuleEntity, { where: { accountId: ctx.caller.accountId, region: ctx.region }, order: { name: 'ASC' } }),
    );
  }

  /** Deletes a rule with its dead letters; pending deliveries find it gone and stop. */
  async deleteEventRule(ctx: RequestContext, name: string): Promise<void> {
    await this.db.inTenant(tenantOf(ctx), async (manager) => {
      const rule = await this.findRule(ctx, manager, name);
      await deadLetterRepository.removeForRule(manager, rule.accountId, rule.id);
      await manager.delete(EventRuleEntity, { id: rule.id });
    });
  }

  async listDeadLetters(
    ctx: RequestContext,
    ruleName: string,
    first: number,
    after: string | null,
  ): Promise<{ rows: DeadLetterRow[]; hasNextPage: boolean }> {
    let position: { createdAt: string; id: string } | null = null;
    if (after) {
      const key = decodePageToken(after);
      const [createdAt, id] = key?.split('|') ?? [];
      // A forged key must fail as a bad token, not as a database cast error.
      if (!createdAt || !id || !DEAD_LETTER_POSITION.test(createdAt) || !UUID.test(id)) {
        throw new OpenTrailError('InvalidNextTokenException', 'The pagination token is not valid.');
      }
      position = { createdAt, id };
    }
    const limit = Math.min(Math.max(first, 1), 100);
    const rule = await this.db.inTenant(tenantOf(ctx), (manager) => this.findRule(ctx, manager, ruleName));
    const rows = await this.db.inTenantRaw(
      tenantOf(ctx),
      (client) => deadLetterRepository.page(client, ctx.caller.accountId, rule.id, position, limit + 1),
      { readOnly: true },
    );
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  static cursorOf(row: DeadLetterRow): string {
    return encodePageToken(`${row.position}|${row.id}`);
  }

  /** Queues dead letters (all of the rule's, or those named) for another delivery; returns how many. */
  async redriveDeadLetters(ctx: RequestContext, ruleName: string, ids: string[] | null): Promise<number> {
    const rule = await this.db.inTenant(tenantOf(ctx), (manager) => this.findRule(ctx, manager, ruleName));
    if (ids && !ids.every((id) => UUID.test(id))) throw StreamingErrors.invalidParameter('Dead letter ids are UUIDs.');
    const found = await this.db.inTenantRaw(
      tenantOf(ctx),
      (client) => deadLetterRepository.idsForRedrive(client, ctx.caller.accountId, rule.id, ids, REDRIVE_LIMIT),
      { readOnly: true },
    );
    if (found.length === 0) return 0;
    await this.jobs.enqueue(QUEUES.webhook, 'redrive', { kind: 'redrive', ruleId: rule.id, deadLetterIds: found });
    return found.length;
  }

  private async findRule(ctx: RequestContext, manager: EntityManager, name: string): Promise<EventRuleEntity> {
    const rule = await manager.findOne(EventRuleEntity, { where: { accountId: ctx.caller.accountId, region: ctx.region, name } });
    if (!rule) throw StreamingErrors.ruleNotFound(name);
    return rule;
  }
}
