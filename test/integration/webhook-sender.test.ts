import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  refuseWebhookUrl,
  sendSignedWebhook,
  signPayload,
  verifySignature,
} from '../../src/streaming/webhook-sender';
import { addressAllowed, compileHostPolicy, parseAllowedHosts } from '../../src/streaming/webhook-host-policy';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 answering with `respond` and recording what it got. */
async function startReceiver(respond: (res: http.ServerResponse) => void) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      respond(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('sendSignedWebhook', () => {
  it('POSTs the JSON body with a signature the receiver can verify and the delivery id', async () => {
    const receiver = await startReceiver((res) => res.writeHead(204).end());
    try {
      const result = await sendSignedWebhook({ url: receiver.url, secret: 's3cret', body: { hello: 'world' }, id: 'd-1' });
      expect(result).toEqual({ ok: true, status: 204 });
      const [got] = receiver.received;
      expect(got!.body).toBe('{"hello":"world"}');
      expect(got!.headers['content-type']).toBe('application/json');
      expect(got!.headers[DELIVERY_ID_HEADER]).toBe('d-1');
      const header = got!.headers[SIGNATURE_HEADER] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature({ secret: 's3cret', body: got!.body, header })).toBe(true);
      expect(verifySignature({ secret: 'other', body: got!.body, header })).toBe(false);
      expect(verifySignature({ secret: 's3cret', body: got!.body + ' ', header })).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it('sends a string body verbatim', async () => {
    const receiver = await startReceiver((res) => res.writeHead(200).end('ok'));
    try {
      const body = '{"s3Bucket":"b","s3ObjectKey":["k"]}';
      expect((await sendSignedWebhook({ url: receiver.url, secret: 'k', body, id: 'x' })).ok).toBe(true);
      expect(receiver.received[0]!.body).toBe(body);
    } finally {
      await receiver.close();
    }
  });

  it('reports non-2xx answers and does not follow redirects', async () => {
    const failing = await startReceiver((res) => res.writeHead(500).end('boom'));
    const redirecting = await startReceiver((res) => res.writeHead(302, { location: failing.url }).end());
    try {
      expect(await sendSignedWebhook({ url: failing.url, secret: 'k', body: {}, id: 'a' })).toEqual({
        ok: false,
        status: 500,
        error: 'HTTP 500',
      });
      const redirected = await sendSignedWebhook({ url: redirecting.url, secret: 'k', body: {}, id: 'b' });
      expect(redirected).toMatchObject({ ok: false, status: 302 });
      expect(failing.received).toHaveLength(1);
    } finally {
      await failing.close();
      await redirecting.close();
    }
  });

  it('gives up after the timeout', async () => {
    const silent = await startReceiver(() => undefined);
    try {
      const result = await sendSignedWebhook(
        { url: silent.url, secret: 'k', body: {}, id: 'c' },
        { webhookTimeoutMs: 200 },
      );
      expect(result.ok).toBe(false);
      expect(result.error).toContain('timed out');
    } finally {
      await silent.close();
    }
  });

  it('reports connection failures without throwing', async () => {
    const receiver = await startReceiver((res) => res.end());
    await receiver.close();
    const result = await sendSignedWebhook({ url: receiver.url, secret: 'k', body: {}, id: 'd' });
    expect(result.ok).toBe(false);
    expect(result.error).toContain('ECONNREFUSED');
  });
});

describe('webhook URL policy (SSRF)', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/x',
    'http://[::ffff:169.254.169.254]/x',
    'http://[fd00:ec2::254]/x',
    'http://0.0.0.0:80/',
    'ftp://example.com/x',
    'file:///etc/passwd',
    'http://user:pw@example.com/',
    'not a url',
  ])('refuses %s', async (url) => {
    expect(refuseWebhookUrl(url)).not.toBeNull();
    const result = await sendSignedWebhook({ url, secret: 'k', body: {}, id: 'e' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^Refused webhook URL/);
  });

  it('refuses metadata addresses even when the allow-list says *', () => {
    expect(refuseWebhookUrl('http://169.254.169.254/', { webhookAllowedHosts: ['*'] })).not.toBeNull();
    expect(refuseWebhookUrl('http://169.254.169.254/', { webhookAllowedHosts: ['169.254.0.0/16'] })).not.toBeNull();
  });

  it('checks every DNS answer: link-local answers are refused for any name', () => {
    const anyHost = compileHostPolicy([]);
    expect(addressAllowed(anyHost, 'rebind.example', '169.254.169.254')).toBe(false);
    expect(addressAllowed(anyHost, 'rebind.example', '::ffff:a9fe:a9fe')).toBe(false);
    expect(addressAllowed(anyHost, 'rebind.example', 'fe80::1')).toBe(false);
    expect(addressAllowed(anyHost, 'ok.example', '93.184.216.34')).toBe(true);
  });

  it('decides a name allowed only by address rules on what DNS returns', async () => {
    // `localhost` resolves to loopback, outside 10.0.0.0/8: refused at connect time, nothing sent.
    const receiver = await startReceiver((res) => res.writeHead(200).end());
    try {
      const settings = { webhookAllowedHosts: parseAllowedHosts('10.0.0.0/8') };
      const result = await sendSignedWebhook(
        { url: `http://localhost:${receiver.port}/`, secret: 'k', body: {}, id: 'f' },
        settings,
      );
      expect(result).toMatchObject({ ok: false });
      expect(result.error).toContain('Refused webhook URL');
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('honours an explicit allow-list', async () => {
    const receiver = await startReceiver((res) => res.writeHead(200).end());
    try {
      const onlyExample = { webhookAllowedHosts: parseAllowedHosts('hooks.example.com, *.example.org') };
      expect(refuseWebhookUrl(receiver.url, onlyExample)).toContain('not allowed');
      expect(refuseWebhookUrl('https://hooks.example.com/x', onlyExample)).toBeNull();
      expect(refuseWebhookUrl('https://a.b.example.org/x', onlyExample)).toBeNull();
      expect(refuseWebhookUrl('https://example.org/x', onlyExample)).not.toBeNull();
      expect((await sendSignedWebhook({ url: receiver.url, secret: 'k', body: {}, id: 'g' }, onlyExample)).ok).toBe(false);
      const loopback = { webhookAllowedHosts: parseAllowedHosts('127.0.0.0/8') };
      expect((await sendSignedWebhook({ url: receiver.url, secret: 'k', body: {}, id: 'h' }, loopback)).ok).toBe(true);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('rejects malformed allow-list entries', () => {
    expect(() => parseAllowedHosts('good.example.com, bad host')).toThrow('bad host');
    expect(() => parseAllowedHosts('10.0.0.0/99')).toThrow();
  });
});

describe('verifySignature', () => {
  it('rejects stale timestamps and malformed headers', () => {
    const header = signPayload('k', 1_000_000, 'body');
    expect(verifySignature({ secret: 'k', body: 'body', header, nowSeconds: 1_000_100 })).toBe(true);
    expect(verifySignature({ secret: 'k', body: 'body', header, nowSeconds: 1_000_400 })).toBe(false);
    expect(verifySignature({ secret: 'k', body: 'body', header: 'v1=abc', nowSeconds: 1_000_000 })).toBe(false);
    expect(verifySignature({ secret: 'k', body: 'body', header: undefined })).toBe(false);
  });
});
