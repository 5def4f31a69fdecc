import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

/**
 * The webhook receiver of a chaos run, on 127.0.0.1. In `ok` mode it answers 200 and counts the
 * event (by the envelope's detail.eventID) as received; `fail` answers 500; `hang` reads the body
 * and never answers (the sender's WEBHOOK_TIMEOUT_MS ends it). Only 2xx answers count: a POST
 * answered 500 or left hanging was never accepted, so its retry is not a duplicate.
 */
export class WebhookReceiver {
  mode: ReceiverMode = 'ok';
  /** eventID → POSTs accepted (2xx). */
  readonly accepted = new Map<string, number>();
  posts = 0;
  /** Date.now() of the last accepted POST: whether webhooks are flowing at a given moment. */
  lastAcceptedAt = 0;
  /** 2xx answers so far (all events). */
  acceptedTotal = 0;
  refused = 0;
  hung = 0;
  private readonly held = new Set<http.ServerResponse>();
  private server: http.Server | null = null;
  url = '';

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.posts++;
        if (this.mode === 'hang') {
          this.hung++;
          this.held.add(res);
          res.on('close', () => this.held.delete(res));
          return;
        }
        if (this.mode === 'fail') {
          this.refused++;
          res.writeHead(500).end('receiver failing');
          return;
        }
        let eventId = 'unparseable';
        try {
          eventId = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).detail?.eventID);
        } catch {
          // counted under 'unparseable': the harness never sends such events, so it shows up as a problem
        }
        this.accepted.set(eventId, (this.accepted.get(eventId) ?? 0) + 1);
        this.lastAcceptedAt = Date.now();
        this.acceptedTotal++;
        res.writeHead(200).end('ok');
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  /** Ends the hanging mode: the held requests are cut (the sender sees an error, never a 2xx). */
  setMode(mode: ReceiverMode): void {
    this.mode = mode;
    if (mode !== 'hang') for (const res of this.held) res.destroy();
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
