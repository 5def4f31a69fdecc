import { createRedis, type RedisConnection, type RedisTarget } from '../common/redis-client';
import type { Logger } from 'pino';

/** What the router publishes per account; records are the stored CloudTrail JSON. */
export interface LiveMessage {
  accountId: string;
  events: Array<{ region: string; record: string }>;
}

/** One Redis pub/sub channel per account: a subscriber can only ever receive its own account's. */
export const liveChannel = (prefix: string, accountId: string) => `${prefix}:live:${accountId}`;

type Listener = (message: LiveMessage) => void;

/**
 * The api side of live streams: subscribes to an account's channel only while that account has
 * live subscribers in this process, and hands each message to them. Every replica does the same,
 * so no process holds state another needs.
 */
export class LiveEventHub {
  private subscriber: RedisConnection | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly confirmed = new Map<string, Set<Listener>>();

  constructor(
    private readonly redis: RedisTarget,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  private connection(): RedisConnection {
    if (!this.subscriber) {
      // No ready check: ioredis sends its INFO probe after connecting, and a SUBSCRIBE issued in
      // between puts the connection in subscriber mode first, so the probe - and that SUBSCRIBE
      // with it - fails ("Connection in subscriber mode").
      this.subscriber = createRedis(this.redis, { maxRetriesPerRequest: null, enableReadyCheck: false });
      this.subscriber.on('error', (err) => this.logger.warn({ err: err.message }, 'live stream Redis error'));
      this.subscriber.on('message', (channel: string, text: string) => this.dispatch(channel, text));
    }
    return this.subscriber;
  }

  private dispatch(channel: string, text: string): void {
    const accountId = channel.slice(`${this.prefix}:live:`.length);
    let message: LiveMessage;
    try {
      message = JSON.parse(text) as LiveMessage;
    } catch {
      return;
    }
    // Defence in depth: the channel and the message must name the same account.
    if (message.accountId !== accountId) return;
    for (const listener of this.listeners.get(accountId) ?? []) listener(message);
  }

  /** Starts delivering the account's messages to `listener`; resolves once Redis confirmed. */
  async subscribe(accountId: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(accountId);
    if (!set) {
      set = new Set();
      this.listeners.set(accountId, set);
    }
    set.add(listener);
    await this.connection().subscribe(liveChannel(this.prefix, accountId));
    const confirmed = this.confirmed.get(accountId) ?? new Set<Listener>();
    this.confirmed.set(accountId, confirmed.add(listener));
    return async () => {
      set!.delete(listener);
      confirmed.delete(listener);
      if (confirmed.size === 0 && this.confirmed.get(accountId) === confirmed) this.confirmed.delete(accountId);
      if (set!.size === 0 && this.listeners.get(accountId) === set) {
        this.listeners.delete(accountId);
        await this.subscriber?.unsubscribe(liveChannel(this.prefix, accountId)).catch(() => undefined);
      }
    };
  }

  /** Live subscribers of an account in this process (a stream counts once Redis confirmed its channel). */
  listenerCount(accountId: string): number {
    return this.confirmed.get(accountId)?.size ?? 0;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.confirmed.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
