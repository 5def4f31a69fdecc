import { FairScheduler } from '../../src/app/fair-scheduler';

describe('FairScheduler', () => {
  it("serves another account's single request before the rest of one account's queue", async () => {
    const scheduler = new FairScheduler(1);
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    const request = (name: string, account: string) =>
      scheduler.turn(account).then((release) => {
        order.push(name);
        releases.set(name, release);
      });
    const a1 = request('a1', 'A');
    await a1;
    // A queues three more, then B asks once.
    const waiting = [request('a2', 'A'), request('a3', 'A'), request('a4', 'A'), request('b1', 'B')];
    expect(scheduler.load).toEqual({ running: 1, waiting: 4 });
    for (const name of ['a1', 'a2', 'b1', 'a3']) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.get(name)!();
    }
    await Promise.all(waiting);
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    releases.get('a4')!();
    expect(scheduler.load).toEqual({ running: 0, waiting: 0 });
  });

  it('runs up to its limit at once without waiting, and a release given twice frees one turn', async () => {
    const scheduler = new FairScheduler(2);
    const first = await scheduler.turn('A');
    await scheduler.turn('A');
    let third = false;
    const pending = scheduler.turn('A').then(() => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    first();
    first();
    await pending;
    expect(scheduler.load).toEqual({ running: 2, waiting: 0 });
  });
});
