import fs from 'node:fs';
import type { ScenarioReport } from '../../bench/chaos/report';
import { accepts, destination, expectScenarioPassed, runChaosHarness } from '../helpers/chaos-harness';

/**
 * Issue 18 §2, replicas: the chaos harness's `replicas` scenario alone (two api and two workers
 * processes, compiled, on one private PostgreSQL and one private Redis; 1,500 events sent to the
 * two apis in turn). Every event is once in the history, the trail's files and the Lake store;
 * the per-trail work stayed single-flight (no event twice in the trail, no digest window written
 * twice) and the digest chain has no gap. The same scenario runs in chaos-short.test.ts with the rest.
 */
const RUN_LIMIT_MS = 300_000;

let report: ScenarioReport | undefined;
let environment: { root: string; ports: number[] } | null = null;

describe('replicas: two apis and two workers processes on one database and one Redis', () => {
  beforeAll(async () => {
    const run = await runChaosHarness(['replicas'], RUN_LIMIT_MS);
    report = run.scenarios.find((r) => r.name === 'replicas');
    environment = run.environment;
  }, RUN_LIMIT_MS + 20_000);

  it('delivers every acknowledged event exactly once to the trail and the store, and every process stays up', () => {
    expectScenarioPassed(report, 'replicas');
    expect(destination(report!, 'client /ingest').note).toContain('two apis and two workers processes through the flow');
  });

  it('chains the digests without a gap or an overlap (every delivered file was in a digest at quiet)', () => {
    expect(report!.facts.chain).toMatchObject({ gaps: 0, overlaps: 0 });
    expect(report!.facts.chain!.digests).toBeGreaterThan(0);
  });

  it('leaves no server, process or directory behind', async () => {
    expect(fs.existsSync(environment!.root)).toBe(false);
    const listening = await Promise.all(environment!.ports.map((port) => accepts(port)));
    expect(environment!.ports.filter((_, i) => listening[i])).toEqual([]);
  });
});
