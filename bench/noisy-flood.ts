import { call, ingest, type Endpoint, type FloodKind, type Workload } from './noisy-neighbour';

/**
 * Tenant A of the noisy-neighbour benchmark, as a process of its own (forked at nice 19): 20
 * senders that never back off, until the parent says 'stop'; then it answers with the tally of
 * outcomes (answered, throttled, status N, failed).
 */
process.once('message', (start: { endpoint: Endpoint; token: string; work: Workload }) => {
  const { endpoint, token, work } = start;
  const outcomes: Record<string, number> = {};
  const count = (status: number) => {
    const outcome = status === 200 ? 'answered' : status === 429 ? 'throttled' : status === 0 ? 'failed' : `status ${status}`;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  let flooding = true;
  const loop = (send: () => Promise<number>) =>
    (async () => {
      while (flooding) count(await send().catch(() => 0));
    })();
  const senders: Record<FloodKind, Array<() => Promise<number>>> = {
    aliases: [
      ...Array<() => Promise<number>>(8).fill(async () => (await call(endpoint, token, work.atCap)).status),
      ...Array<() => Promise<number>>(4).fill(async () => (await call(endpoint, token, work.pastCap)).status),
    ],
    lake: Array<() => Promise<number>>(4).fill(
      async () =>
        (
          await call(endpoint, token, 'mutation($input: StartQueryInput!) { startQuery(input: $input) { queryId } }', {
            input: { queryStatement: work.lake },
          })
        ).status,
    ),
    ingest: Array<() => Promise<number>>(4).fill(() => ingest(endpoint, token, work.ingestBody)),
  };
  const flood = work.kinds.flatMap((kind) => senders[kind].map(loop));
  process.send!('flooding');
  process.once('message', async () => {
    flooding = false;
    await Promise.all(flood);
    process.send!(outcomes);
  });
});
