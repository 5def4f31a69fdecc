/**
 * Process-local fair turns for admitted GraphQL requests: at most `maxRunning` run at a time in
 * this api process, and those waiting are taken round-robin by account. Without it one account's
 * admitted requests (up to ACCOUNT_MAX_CONCURRENT_REQUESTS per account) share the event loop
 * with another account's single request, which then waits behind all of them; with it, that
 * request runs as soon as one request ends, whatever the other account has queued.
 */
export class FairScheduler {
  private running = 0;
  /** Waiting requests per account; the Map's order is the ring (an account served goes last). */
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly maxRunning: number) {}

  /** Requests running now and waiting now, per this process (for tests and metrics). */
  get load(): { running: number; waiting: number } {
    let waiting = 0;
    for (const queue of this.waiting.values()) waiting += queue.length;
    return { running: this.running, waiting };
  }

  /** Resolves when a request of `accountId` may run; call the returned release() exactly once. */
  async turn(accountId: string): Promise<() => void> {
    if (this.running < this.maxRunning && this.waiting.size === 0) {
      this.running++;
      return this.releaser();
    }
    await new Promise<void>((resolve) => {
      const queue = this.waiting.get(accountId);
      if (queue) queue.push(resolve);
      else this.waiting.set(accountId, [resolve]);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.next();
    };
  }

  private next(): void {
    while (this.running < this.maxRunning && this.waiting.size > 0) {
      const [accountId, queue] = this.waiting.entries().next().value as [string, Array<() => void>];
      const resolve = queue.shift()!;
      // Served: to the back of the ring, or out of it when it has nothing more waiting.
      this.waiting.delete(accountId);
      if (queue.length > 0) this.waiting.set(accountId, queue);
      this.running++;
      resolve();
    }
  }
}
