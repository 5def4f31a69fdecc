import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import { buildSchema, graphql } from 'graphql';
import type { Server } from 'node:http';
import { graphiqlRouter } from '../../src/graphql/graphiql';

// Renders the real page in headless Chromium: proves the offline assets load under the CSP and
// that the fetcher reaches /graphql. Chromium is a test prerequisite (apt-get install chromium);
// without it this file fails rather than skipping, so a missing browser is never mistaken for a pass.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const run = promisify(execFile);

describe('GraphiQL in headless Chromium', () => {
  let server: Server;
  let baseUrl: string;
  let userDataDir: string;
  const graphqlRequests: Array<{ query: string; authorization?: string; region?: string }> = [];

  beforeAll(async () => {
    const schema = buildSchema('type Query { hello: String }');
    const app = express();
    app.use(graphiqlRouter());
    app.post('/graphql', express.json(), async (req, res) => {
      graphqlRequests.push({
        query: String(req.body?.query),
        authorization: req.headers.authorization,
        region: req.headers['x-region'] as string | undefined,
      });
      res.json(await graphql({ schema, source: req.body.query, rootValue: { hello: 'hi' } }));
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-chromium-'));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  it('has Chromium installed', () => {
    expect(fs.existsSync(CHROMIUM)).toBe(true);
  });

  it('renders the editor, loads the schema through /graphql and violates no CSP rule', async () => {
    // Async execFile: the stub server lives in this process and must keep answering.
    const { stdout, stderr } = await run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${userDataDir}`,
        '--enable-logging=stderr',
        '--v=0',
        '--virtual-time-budget=5000',
        '--dump-dom',
        `${baseUrl}/graphiql`,
      ],
      { timeout: 45_000, maxBuffer: 64 * 1024 * 1024 },
    );

    expect(stdout).toContain('graphiql-container');
    expect(stdout).toContain('id="ot-token"');
    expect(stdout).toContain('id="ot-region"');
    // Chromium mirrors the page console (where CSP violations are reported) to stderr.
    const consoleLines = stderr.split('\n').filter((line) => line.includes(':CONSOLE'));
    expect(consoleLines.filter((line) => /Content Security Policy|Refused to/i.test(line))).toEqual([]);
    // The schema request proves the bootstrap's fetcher works; an empty region sends no header.
    expect(graphqlRequests.some((r) => r.query.includes('__schema'))).toBe(true);
    expect(graphqlRequests.every((r) => r.region === undefined && r.authorization === undefined)).toBe(true);
  }, 60_000);
});
