import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { OutboxService } from '../events/outbox.service';
import { EventRuleService } from './event-rule.service';
import { LiveEventHub } from './live-events.hub';
import type { StreamingRouter } from './streaming.router';
import { TopicService } from './topic.service';
import { WebhookDeliveryService } from './webhook-delivery.service';

/** What the streaming module adds to Services. */
export interface StreamingServices {
  topics: TopicService;
  eventRules: EventRuleService;
  webhookDelivery: WebhookDeliveryService;
  /** Live GraphQL subscriptions' Redis pub/sub fan-in (connects on first subscriber). */
  liveEvents: LiveEventHub;
  closeStreamingServices(): Promise<void>;
}

/** `router` is the outbox's streaming destination (built in src/app/services.ts); closed with the module. */
export function createStreamingServices(
  core: { config: Config; db: Database; logger: Logger; outbox: OutboxService },
  router: StreamingRouter,
): StreamingServices {
  const { config, db, logger, outbox } = core;
  const liveEvents = new LiveEventHub(config, config.redisPrefix, logger.child({ module: 'live-events' }));
  return {
    topics: new TopicService(config, db),
    eventRules: new EventRuleService(config, db, outbox.jobs),
    webhookDelivery: new WebhookDeliveryService(config, db, outbox.jobs, logger.child({ module: 'webhook' })),
    liveEvents,
    async closeStreamingServices() {
      await liveEvents.close();
      router.close();
    },
  };
}
