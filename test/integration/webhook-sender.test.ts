import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  refuseWebhookUrl,
  sendSignedWebhook,
  signPayload,
  verifySignature,
} from '../../src/common/webhooks/webhook-sender';
import { addressAllowed, compileHostPolicy, parseAllowedHosts } from '../../src/common/webhooks/webhook-host-policy';

/** The receivers below listen on 127.0.0.1, which the default policy refuses: open it, as an operator would. */
const LOOPBACK_OPEN = { webhookAllowedHosts: parseAllowedHosts('*, 127.0.0.1') };

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
      const result = await sendSignedWebhook({ url: receiver.url, secret: 's3cret', body: { hello: 'world' }, id: 'd-1' }, LOOPBACK_OPEN);
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
      expect((await sendSignedWebhook({ url: receiver.url, secret: 'k', body, id: 'x' }, LOOPBACK_OPEN)).ok).toBe(true);
      expect(receiver.received[0]!.body).toBe(body);
    } finally {
      await receiver.close();
    }
  });

  it('reports non-2xx answers and does not follow redirects', async () => {
    const failing = await startReceiver((res) => res.writeHead(500).end('boom'));
    const redirecting = await startReceiver((res) => res.writeHead(302, { location: failing.url }).end());
    try {
      expect(await sendSignedWebhook({ url: failing.url, secret: 'k', body: {}, id: 'a' }, LOOPBACK_OPEN)).toEqual({
        ok: false,
        status: 500,
        failure: 'http-status',
        error: 'HTTP 500',
      });
      const redirected = await sendSignedWebhook({ url: redirecting.url, secret: 'k', body: {}, id: 'b' }, LOOPBACK_OPEN);
      expect(redirected).toMatchObject({ ok: false, status: 302, failure: 'http-status' });
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
        { ...LOOPBACK_OPEN, webhookTimeoutMs: 200 },
      );
      expect(result).toMatchObject({ ok: false, failure: 'timeout', error: 'Timed out after 200 ms' });
    } finally {
      await silent.close();
    }
  });

  it('reports connection failures as one generic class: the socket error code is for the server log only', async () => {
    const closed = await startReceiver((res) => res.end());
    await closed.close();
    // A receiver that resets the connection instead of answering.
    const resetting = http.createServer((req) => req.socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    try {
      const refused = await sendSignedWebhook({ url: closed.url, secret: 'k', body: {}, id: 'd' }, LOOPBACK_OPEN);
      const reset = await sendSignedWebhook(
        { url: `http://127.0.0.1:${(resetting.address() as AddressInfo).port}/`, secret: 'k', body: {}, id: 'd2' },
        LOOPBACK_OPEN,
      );
      for (const result of [refused, reset]) {
        expect(result).toMatchObject({ ok: false, failure: 'connection-failed', error: 'Connection failed' });
        expect(result.error).not.toMatch(/E[A-Z]{4,}/);
      }
      expect(refused.detail).toContain('ECONNREFUSED');
      expect(reset.detail).toContain('ECONNRESET');
    } finally {
      await new Promise<void>((resolve) => resetting.close(() => resolve()));
    }
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
    expect(result).toMatchObject({ ok: false, failure: 'refused-by-policy' });
    expect(result.error).toMatch(/^Refused by policy/);
  });

  it('refuses metadata addresses even when the allow-list says *', () => {
    expect(refuseWebhookUrl('http://169.254.169.254/', { webhookAllowedHosts: ['*'] })).not.toBeNull();
    expect(refuseWebhookUrl('http://169.254.169.254/', { webhookAllowedHosts: ['169.254.0.0/16'] })).not.toBeNull();
  });

  it('checks every DNS answer: link-local answers are refused for any name', () => {
    const anyHost = compileHostPolicy(['*', '127.0.0.0/8', '::ffff:0:0/96']);
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
      const result = await sendSignedWebhook({ url: `http://localhost:${receiver.port}/`, secret: 'k', body: {}, id: 'f' }, settings);
      expect(result).toMatchObject({ ok: false, failure: 'refused-by-policy' });
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
      // Listing a name narrows names; it does not open internal addresses the name resolves to.
      const named = { webhookAllowedHosts: parseAllowedHosts('localhost') };
      expect((await sendSignedWebhook({ url: `http://localhost:${receiver.port}/`, secret: 'k', body: {}, id: 'g2' }, named)).failure).toBe(
        'refused-by-policy',
      );
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

describe('webhook URL policy: internal addresses are refused by default', () => {
  // Every form the issue names, plus the classes around them. WHATWG URL rewrites octal, hex and
  // shorthand IPv4 to dotted decimal (`127.1` → 127.0.0.1) and IPv4-mapped IPv6 to hex
  // (`[::ffff:7f00:1]`), so the policy sees canonical forms.
  const internal = [
    'http://127.0.0.1:6379/',
    'http://127.1/',
    'http://0x7f.1/',
    'http://0177.0.0.1/',
    'http://2130706433/',
    'http://localhost:4399/',
    'http://api.localhost/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]:4399/',
    'http://[::ffff:7f00:1]/',
    'http://[::127.0.0.1]/',
    'http://[::a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[64:ff9b::a00:1]/',
    'http://[64:ff9b:1::a00:1]/',
    'http://[2002:a9fe:a9fe::1]/',
    'http://[2001::1]/',
    'http://10.0.0.5/',
    'http://172.16.3.4/',
    'http://192.168.1.1/',
    'http://[::ffff:192.168.1.1]/',
    'http://100.64.0.1/',
    'http://169.254.169.254/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'http://192.0.2.1/',
    'http://198.18.0.1/',
    'http://0.0.0.0/',
    'http://0/',
    'http://[::]/',
    'http://[100::1]/',
    'http://[2001:db8::1]/',
  ];
  it.each(internal)('refuses %s with the default (empty) WEBHOOK_ALLOWED_HOSTS', async (url) => {
    expect(refuseWebhookUrl(url, { webhookAllowedHosts: [] })).toMatch(/not allowed/);
    const result = await sendSignedWebhook({ url, secret: 'k', body: {}, id: 'i' }, { webhookAllowedHosts: [] });
    expect(result).toMatchObject({ ok: false, failure: 'refused-by-policy' });
  });

  it.each(['https://hooks.example.com/x', 'http://93.184.216.34/', 'http://[2606:4700::1111]/', 'http://[::ffff:93.184.216.34]/'])(
    'accepts the public destination %s by default',
    (url) => expect(refuseWebhookUrl(url, { webhookAllowedHosts: [] })).toBeNull(),
  );

  it('refuses DNS answers in internal ranges for any name (rebinding), and opens the blocks an operator lists', () => {
    const byDefault = compileHostPolicy([]);
    for (const answer of ['127.0.0.1', '10.1.2.3', '::1', '::ffff:10.0.0.1', 'fd00::1', '64:ff9b::a9fe:a9fe', '100.100.0.1']) {
      expect(addressAllowed(byDefault, 'rebind.example', answer)).toBe(false);
    }
    expect(addressAllowed(byDefault, 'ok.example', '93.184.216.34')).toBe(true);
    const opened = compileHostPolicy(parseAllowedHosts('10.20.0.0/16, ::1, ::ffff:192.168.0.0/112'));
    expect(addressAllowed(opened, 'hooks.corp', '10.20.3.4')).toBe(true);
    expect(addressAllowed(opened, 'hooks.corp', '::ffff:10.20.3.4')).toBe(true);
    expect(addressAllowed(opened, 'hooks.corp', '10.21.0.1')).toBe(false);
    expect(addressAllowed(opened, 'hooks.corp', '::1')).toBe(true);
    expect(addressAllowed(opened, 'hooks.corp', '192.168.7.7')).toBe(true);
    // Address entries do not narrow public destinations.
    expect(addressAllowed(opened, 'public.example', '93.184.216.34')).toBe(true);
    expect(refuseWebhookUrl('http://10.20.0.9:8080/hook', { webhookAllowedHosts: parseAllowedHosts('10.20.0.0/16') })).toBeNull();
    expect(refuseWebhookUrl('http://10.30.0.9/hook', { webhookAllowedHosts: parseAllowedHosts('10.20.0.0/16') })).not.toBeNull();
    // Metadata stays refused in every embedding, whatever is opened.
    const everything = compileHostPolicy(parseAllowedHosts('*, 0.0.0.0/0, ::/0'));
    for (const answer of [
      '169.254.169.254',
      '::ffff:169.254.169.254',
      '::a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '2002:a9fe:a9fe::1',
      'fd00:ec2::254',
      '0.0.0.0',
      '::',
    ]) {
      expect(addressAllowed(everything, 'x.example', answer)).toBe(false);
    }
    expect(addressAllowed(everything, 'x.example', '10.0.0.1')).toBe(true);
  });

  it('sends nothing to a name resolving to loopback by default, and connects once the operator opens loopback', async () => {
    const receiver = await startReceiver((res) => res.writeHead(200).end());
    try {
      const url = `http://localhost:${receiver.port}/`;
      expect((await sendSignedWebhook({ url, secret: 'k', body: {}, id: 'j' }, { webhookAllowedHosts: [] })).failure).toBe(
        'refused-by-policy',
      );
      expect(receiver.received).toHaveLength(0);
      const opened = { webhookAllowedHosts: parseAllowedHosts('127.0.0.1, ::1') };
      expect((await sendSignedWebhook({ url, secret: 'k', body: {}, id: 'j' }, opened)).ok).toBe(true);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
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
