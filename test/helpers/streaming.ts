import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestApp } from './test-app';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
  /** Date.now() when the request body was complete. */
  at: number;
}

/**
 * A webhook receiver on 127.0.0.1. `status` is what it answers (changeable at any time, to fail
 * and recover); every request is recorded with the status it got.
 */
export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  status: number;
  /** Requests answered 2xx. */
  accepted(): ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startReceiver(path = '/hook'): Promise<Receiver> {
  const receiver = { received: [] as ReceivedWebhook[], status: 200 } as Receiver;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = receiver.status;
      receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status, at: Date.now() });
      res.writeHead(status).end(status < 300 ? 'ok' : 'receiver failing');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  receiver.accepted = () => receiver.received.filter((r) => r.status >= 200 && r.status < 300);
  receiver.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/** Polls until `fn` returns something truthy; the error names what never happened. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const STREAMING_OPS = {
  createTopic: `mutation($input: CreateTopicInput!) { createTopic(input: $input) { topicArn name endpoint signingSecret } }`,
  listTopics: `query { listTopics { topicArn name endpoint signingSecret } }`,
  deleteTopic: `mutation($topicArn: String!) { deleteTopic(topicArn: $topicArn) }`,
  putEventRule: `mutation($input: PutEventRuleInput!) { putEventRule(input: $input) { name arn eventPattern webhookUrl state signingSecret } }`,
  listEventRules: `query { listEventRules { name arn eventPattern webhookUrl state signingSecret } }`,
  deleteEventRule: `mutation($name: String!) { deleteEventRule(name: $name) }`,
  listDeadLetters: `query($input: RuleNameInput!, $first: Int, $after: String) { listDeadLetters(input: $input, first: $first, after: $after) {
    edges { node { id eventId envelope lastError attempts createdAt } cursor } pageInfo { hasNextPage endCursor } } }`,
  redriveDeadLetters: `mutation($input: RedriveDeadLettersInput!) { redriveDeadLetters(input: $input) { queued } }`,
} as const;

/** Runs a streaming operation and returns its data field; throws with the errors when it failed. */
export async function streamingCall<T = any>(
  app: TestApp,
  op: keyof typeof STREAMING_OPS,
  variables: Record<string, unknown>,
  token: string,
  region?: string,
): Promise<T> {
  const result = await app.gql(STREAMING_OPS[op], variables, { token, region });
  if (result.errors || !result.data) throw new Error(`${op} failed: ${JSON.stringify(result.errors)}`);
  return result.data[op] as T;
}

/** Runs an operation that must fail; returns the error code. */
export async function streamingFails(
  app: TestApp,
  op: keyof typeof STREAMING_OPS,
  variables: Record<string, unknown>,
  token: string,
): Promise<{ code: string | undefined; message: string }> {
  const result = await app.gql(STREAMING_OPS[op], variables, { token });
  if (!result.errors?.length) throw new Error(`${op} unexpectedly succeeded: ${JSON.stringify(result.data)}`);
  return { code: result.errors[0]!.extensions?.code, message: result.errors[0]!.message };
}
