import http from 'node:http';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { CONSOLE_CSP, consoleRouter } from '../../src/console/console.router';

/** The console's router over a build directory: page under the CSP, hashed assets, nothing else. */
describe('console router', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-console-dist-'));
    const app = express();
    app.use(consoleRouter(dir));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with the build command while the console is not built, then serves it once built', async () => {
    const before = await fetch(`${base}/console`);
    expect(before.status).toBe(503);
    expect(await before.text()).toContain('npm run build');

    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/console/assets/index-abc.js"></script>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    for (const route of ['/console', '/console/', '/console/history', '/console/lake?x=1']) {
      const res = await fetch(`${base}${route}`);
      expect({
        route,
        status: res.status,
        csp: res.headers.get('content-security-policy'),
        cache: res.headers.get('cache-control'),
      }).toEqual({
        route,
        status: 200,
        csp: CONSOLE_CSP,
        cache: 'no-cache',
      });
    }
    const asset = await fetch(`${base}/console/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
  });

  it('serves no file outside the build and no unknown asset', async () => {
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'no');
    fs.writeFileSync(path.join(dir, 'assets', '.hidden'), 'no'); // dotfiles are never Vite's
    for (const route of [
      '/console/assets/missing.js',
      '/console/assets/..%2fsecret.txt',
      '/console/assets/a/b.js',
      '/console/assets/.hidden',
    ]) {
      const res = await fetch(`${base}${route}`);
      expect({ route, status: res.status }).toEqual({ route, status: 404 });
    }
    // A raw client can send `..` as the asset name (fetch would fold it away): not a file of ours.
    const raw = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: new URL(base).hostname, port: new URL(base).port, path: '/console/assets/..' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect(raw).toBe(404);
    // fetch folds %2e%2e into "..": the path becomes /console/secret.txt, a client-side route (the page).
    const dotted = await fetch(`${base}/console/assets/%2e%2e/secret.txt`);
    expect(await dotted.text()).toContain('<!doctype html>');
  });

  it('sends no script or style source but its own origin in the CSP', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("style-src 'self'");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe|https?:/);
  });
});
