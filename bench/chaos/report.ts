import type { ChainVerdict, Occurrences } from './count';

/** One cell row of the table: a scenario at one destination. */
export interface ChaosRow {
  scenario: string;
  destination: string;
  sent: number | null;
  acked: number | null;
  present: number | null;
  missing: number | null;
  duplicated: number | null;
  pass: boolean;
  note: string;
}

/** The raw facts behind a scenario's verdict (what test/chaos/chaos-short.test.ts asserts on). */
export interface ScenarioFacts {
  events: number;
  acked: number;
  /** Webhook duplicates the pass criterion allows: interruptions × webhook senders in flight. */
  allowedWebhookDuplicates: number;
  /** Unexpected exits of the api or the workers (the harness's own kills excluded). */
  deaths: string[];
  /** Null when the run became quiet, else what was still pending at the timeout. */
  notQuiet: string | null;
  faultError: string | null;
  digests: { valid: boolean; validDigests: number; invalidDigests: number; validLogFiles: number; invalidLogFiles: number } | null;
  /** The replicas scenario's digest chain check (null when unreadable). */
  chain?: ChainVerdict | null;
}

export interface ScenarioReport {
  name: string;
  describe: string;
  pass: boolean;
  seconds: number;
  rows: ChaosRow[];
  facts: ScenarioFacts;
}

/** present / missing / duplicated of one destination against what the client had acknowledged. */
export function compare(acked: Set<string>, found: Occurrences): { present: number; missing: number; duplicated: number } {
  let missing = 0;
  for (const id of acked) if (!found.has(id)) missing++;
  let duplicated = 0;
  for (const n of found.values()) duplicated += n - 1;
  return { present: found.size, missing, duplicated };
}

const cell = (v: number | null) => (v === null ? '' : v.toLocaleString('en-US'));

export function formatTable(reports: ScenarioReport[]): string {
  const header = ['scenario', 'destination', 'sent', 'acked', 'present', 'missing', 'dup', 'verdict', 'notes'];
  const lines = reports.flatMap((r) =>
    r.rows.map((row) => [
      row.scenario,
      row.destination,
      cell(row.sent),
      cell(row.acked),
      cell(row.present),
      cell(row.missing),
      cell(row.duplicated),
      row.pass ? 'pass' : 'FAIL',
      row.note,
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const fmt = (l: string[]) => '| ' + l.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (numeric.has(i) ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [fmt(header), rule, ...lines.map(fmt)].join('\n');
}
