import { randomToken } from '../common/ids';
import { PARTITION } from '../common/arn';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { StreamingErrors } from './streaming.errors';
import { TopicEntity } from './topic.entity';
import { topicRepository } from './topic.repository';
import { refuseWebhookUrl } from '../common/webhooks/webhook-sender';

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

export const topicArn = (region: string, accountId: string, name: string) => `arn:${PARTITION}:sns:${region}:${accountId}:${name}`;

export interface CreatedTopic {
  topicArn: string;
  name: string;
  endpoint: string;
  /** Returned only by createTopic: the HMAC key receivers verify notifications with. */
  signingSecret: string;
}

/** SNS-like notification topics of the caller's account and region (trails name them). */
export class TopicService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
  ) {}

  /** Creates a topic; its signing secret is returned here and never again. */
  async createTopic(ctx: RequestContext, input: { name: string; endpoint: string }): Promise<CreatedTopic> {
    if (!TOPIC_NAME.test(input.name)) {
      throw StreamingErrors.invalidParameter('Invalid parameter: Topic Name must be 1-256 letters, digits, hyphens and underscores.');
    }
    const refusal = refuseWebhookUrl(input.endpoint, this.config);
    if (refusal) throw StreamingErrors.invalidWebhookUrl(refusal);
    const accountId = ctx.caller.accountId;
    const topic = Object.assign(new TopicEntity(), {
      accountId,
      region: ctx.region,
      name: input.name,
      topicArn: topicArn(ctx.region, accountId, input.name),
      endpoint: input.endpoint,
      signingSecret: randomToken(32),
    });
    return this.db.inTenant(tenantOf(ctx), async (manager) => {
      if (!(await topicRepository.insertUnlessNameTaken(manager, topic))) throw StreamingErrors.topicExists(input.name);
      return { topicArn: topic.topicArn, name: topic.name, endpoint: topic.endpoint, signingSecret: topic.signingSecret };
    });
  }

  /** Topics of the caller's account in the request's region, by name. */
  async listTopics(ctx: RequestContext): Promise<TopicEntity[]> {
    return this.db.inTenant(tenantOf(ctx), (manager) =>
      manager.find(TopicEntity, { where: { accountId: ctx.caller.accountId, region: ctx.region }, order: { name: 'ASC' } }),
    );
  }

  /** Deletes by ARN (or name); NotFoundException when the caller has no such topic here. */
  async deleteTopic(ctx: RequestContext, topicArnOrName: string): Promise<void> {
    const name = topicArnOrName.startsWith('arn:') ? topicArnOrName.split(':').slice(5).join(':') : topicArnOrName;
    const arn = topicArn(ctx.region, ctx.caller.accountId, name);
    if (topicArnOrName.startsWith('arn:') && topicArnOrName !== arn) throw StreamingErrors.topicNotFound(topicArnOrName);
    const result = await this.db.inTenant(tenantOf(ctx), (manager) =>
      manager.delete(TopicEntity, { accountId: ctx.caller.accountId, region: ctx.region, name }),
    );
    if (!result.affected) throw StreamingErrors.topicNotFound(arn);
  }
}
