import type { PubSub } from 'type-graphql';

/**
 * type-graphql refuses to build a schema with a Subscription unless a PubSub is configured, even
 * when every subscription supplies its own `subscribe` (ours do: live-stream.ts over Redis via
 * LiveEventHub). Topic-based subscriptions are deliberately unsupported, so this PubSub rejects
 * their use loudly instead of silently keeping in-process state a second replica would not share.
 */
export const topicSubscriptionsUnsupported: PubSub = {
  publish(routingKey: string): void {
    throw new Error(`Topic-based subscriptions are not supported (topic ${routingKey}); use a subscribe function.`);
  },
  subscribe(routingKey: string): never {
    throw new Error(`Topic-based subscriptions are not supported (topic ${routingKey}); use a subscribe function.`);
  },
};
