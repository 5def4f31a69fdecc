import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { graphiqlRouter } from '../../src/graphql/graphiql';

describe('graphiqlRouter', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const app = express();
    app.use(graphiqlRouter());
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function page(): Promise<{ res: Response; html: string }> {
    const res = await fetch(`${baseUrl}/graphiql`);
    return { res, html: await res.text() };
  }

  function referencedUrls(html: string): string[] {
    return [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  }

  it('serves the page with a self-only CSP', async () => {
    const { res, html } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(html).toContain('id="ot-token"');
    expect(html).toContain('id="ot-region"');
  });

  it('references only local assets and has no inline script or style', async () => {
    const { html } = await page();
    const urls = referencedUrls(html);
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const url of urls) expect(url).toMatch(/^\/graphiql\/assets\/[\w.-]+\?v=[\w.-]+$/);
    expect(html).not.toMatch(/https?:\/\/|\/\/[a-z]/i);
    expect(html).not.toMatch(/<script>|<style|\sstyle=/);
    expect(urls).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/react.production.min.js'),
        expect.stringContaining('/react-dom.production.min.js'),
        expect.stringContaining('/graphiql.min.js'),
        expect.stringContaining('/graphiql.min.css'),
        expect.stringContaining('/opentrail-graphiql.js'),
      ]),
    );
  });

  it('serves every referenced asset with a long cache lifetime', async () => {
    const { html } = await page();
    for (const url of referencedUrls(html)) {
      const res = await fetch(`${baseUrl}${url}`);
      const body = await res.text();
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect(body.length).toBeGreaterThan(0);
      expect(res.headers.get('cache-control')).toContain('max-age=31536000');
      expect(res.headers.get('content-type')).toMatch(url.includes('.css') ? /text\/css/ : /javascript/);
    }
  });

  it('sends the bearer token and region from the bootstrap script', async () => {
    const res = await fetch(`${baseUrl}/graphiql/assets/opentrail-graphiql.js`);
    const js = await res.text();
    expect(js).toContain("'Bearer ' + token");
    expect(js).toContain("'x-region'");
    expect(js).toContain("url: '/graphql'");
    expect(js).toContain('localStorage');
  });

  it('does not serve files outside the asset list', async () => {
    for (const name of ['package.json', '..%2Fpackage.json', 'graphiql.min.js.map']) {
      const res = await fetch(`${baseUrl}/graphiql/assets/${name}`);
      expect(res.status).toBe(404);
    }
  });
});
