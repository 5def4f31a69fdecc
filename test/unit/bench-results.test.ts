import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareResults, figureOf, readResults, RESULTS_DIR, writeResults } from '../../bench/lib/results';

const row = (benchmark: string, measured: string) => ({ benchmark, measured, baseline: '', ratio: '', target: '' });

describe('benchmark results files', () => {
  it('reads the figure out of a formatted cell', () => {
    expect(figureOf('19,768 events/s')).toBe(19768);
    expect(figureOf('15.9 / 17.7 ms')).toBe(15.9);
    expect(figureOf('n/a')).toBeNull();
  });
  it('writes a run as JSON and compares a later run with it by benchmark name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
    try {
      const file = writeResults([row('ingest', '20,000 events/s'), row('gone', '5 ms')], new Date('2026-12-02T10:15:00Z'), dir);
      expect(path.basename(file)).toBe('2026-12-02-101500.json');
      const earlier = readResults(file);
      expect(earlier.machine.cores).toBe(os.cpus().length);
      expect(compareResults(earlier.rows, [row('ingest', '30,000 events/s'), row('new', '1 ms')])).toEqual([
        { benchmark: 'ingest', earlier: '20,000 events/s', now: '30,000 events/s', ratio: '1.50x' },
        { benchmark: 'new', earlier: '—', now: '1 ms', ratio: '—' },
        { benchmark: 'gone', earlier: '5 ms', now: '—', ratio: '—' },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('matches rows whose names carry figures by the rest of the name', () => {
    expect(compareResults([row('fs write, 42.6 KiB objects', '268 files/s')], [row('fs write, 42.7 KiB objects', '342 files/s')])).toEqual([
      { benchmark: 'fs write, 42.7 KiB objects', earlier: '268 files/s', now: '342 files/s', ratio: '1.28x' },
    ]);
  });
  it('names a missing file plainly', () => {
    expect(() => readResults('/nonexistent/run.json')).toThrow(/Cannot read \/nonexistent\/run.json: ENOENT/);
  });
  it('refuses a file that is not a results file', () => {
    const file = path.join(os.tmpdir(), `not-results-${process.pid}.json`);
    fs.writeFileSync(file, '{"hello":1}');
    try {
      expect(() => readResults(file)).toThrow(/not a benchmark results file/);
    } finally {
      fs.rmSync(file);
    }
  });
  it("keeps results in the checkout's bench/results", () => {
    expect(RESULTS_DIR).toBe(path.resolve(__dirname, '../../bench/results'));
  });
});
