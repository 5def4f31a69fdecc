import fs from 'node:fs';
import type { ScenarioReport } from '../../bench/chaos/report';
import { accepts, expectScenarioPassed, runChaosHarness } from '../helpers/chaos-harness';

/**
 * The short version of `npm run chaos` (bench/chaos/run.ts): the same scenarios with 1,500 events
 * each, run as the compiled harness (it starts its own PostgreSQL and Redis and the compiled api
 * and workers, so `npm test`'s tsc step must have run). One test per scenario asserts the pass
 * criteria on the raw counts the harness wrote: nothing acknowledged is missing anywhere, no
 * duplicate in the history, the trail's files or the Lake, webhook duplicates within the POSTs
 * in flight when a sender was cut, the digest chain valid, and both processes alive.
 */
const SCENARIOS = [
  'baseline',
  'replicas',
  'workers-kill9',
  'api-kill9',
  'redis-restart-empty',
  'postgres-restart',
  'bucket-unwritable',
  'webhook-500-then-hang',
];
/** A healthy run takes about two and a half minutes; a failing one waits out its bounded timeouts (90 s for quiet per scenario). */
const RUN_LIMIT_MS = 540_000;

let reports: ScenarioReport[] = [];
let environment: { root: string; ports: number[] } | null = null;

describe('chaos suite (short): every scenario of npm run chaos with 1,500 events', () => {
  beforeAll(async () => {
    ({ scenarios: reports, environment } = await runChaosHarness(SCENARIOS, RUN_LIMIT_MS));
  }, RUN_LIMIT_MS + 20_000);

  it('ran every scenario and left no server, process or directory behind', async () => {
    expect(reports.map((r) => r.name)).toEqual(SCENARIOS);
    expect(environment).not.toBeNull();
    expect(fs.existsSync(environment!.root)).toBe(false);
    // PostgreSQL, Redis, the api (and its replica) and the webhook receiver: nothing listens on their ports any more.
    const listening = await Promise.all(environment!.ports.map((port) => accepts(port)));
    expect(environment!.ports.filter((_, i) => listening[i])).toEqual([]);
  });

  it.each(SCENARIOS)('%s: nothing acknowledged is missing or duplicated, digests are valid, both processes alive', (name) => {
    expectScenarioPassed(
      reports.find((r) => r.name === name),
      name,
    );
  });

  it('replicas: with two apis and two workers processes the digest chain has no gap and no overlap', () => {
    const report = reports.find((r) => r.name === 'replicas');
    expect(report).toBeDefined();
    expect(report!.facts.chain).toMatchObject({ gaps: 0, overlaps: 0 });
    expect(report!.facts.chain!.digests).toBeGreaterThan(0);
  });
});
