import { encodePageToken } from '../common/page-token';
import type { SourceObject, SourcePublicKey, TrailLocation, ValidationSource } from './validation-source';

export class GraphQLCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A minimal GraphQL client of the OpenTrail API: a session from an access key pair, and a region header. */
export class GraphQLClient {
  private token: string | null = null;

  constructor(
    private readonly endpoint: string,
    private readonly credentials: { accessKeyId: string; secretAccessKey: string },
    private readonly region: string | null,
  ) {}

  async call<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (this.token === null && !query.includes('createSession')) {
      const session = await this.call<{ createSession: { token: string } }>(
        'mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }',
        // The longest session there is (12 hours): a long validation must not outlive its token.
        { input: { accessKeyId: this.credentials.accessKeyId, secretAccessKey: this.credentials.secretAccessKey, durationSeconds: 43200 } },
      );
      this.token = session.createSession.token;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.region) headers['x-region'] = this.region;
    let res: Response;
    try {
      res = await fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    } catch (err) {
      throw new GraphQLCallError(
        'EndpointConnectionError',
        `Could not connect to the endpoint URL: "${this.endpoint}" (${(err as Error).message})`,
      );
    }
    const text = await res.text();
    let body: { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    try {
      body = JSON.parse(text);
    } catch {
      throw new GraphQLCallError('InvalidResponse', `The endpoint answered HTTP ${res.status} without a GraphQL response`);
    }
    const error = body.errors?.[0];
    if (error) throw new GraphQLCallError(error.extensions?.code ?? 'Error', error.message);
    if (!body.data) throw new GraphQLCallError('InvalidResponse', 'The endpoint answered without data');
    return body.data;
  }
}

/** The CLI's source: the same calls the AWS CLI makes, over the OpenTrail GraphQL API. */
export class GraphQLValidationSource implements ValidationSource {
  constructor(private readonly client: GraphQLClient) {}

  async describeTrail(trailArn: string): Promise<TrailLocation | null> {
    const data = await this.client.call(`query { describeTrails { trailList { trailARN s3BucketName s3KeyPrefix isOrganizationTrail } } }`);
    const t = (data.describeTrails.trailList as Array<Record<string, any>>).find((x) => x.trailARN === trailArn);
    if (!t) return null;
    let organizationId: string | null = null;
    if (t.isOrganizationTrail) organizationId = (await this.client.call(`query { describeOrganization { id } }`)).describeOrganization.id;
    return { bucket: t.s3BucketName, prefix: t.s3KeyPrefix ?? null, isOrganizationTrail: Boolean(t.isOrganizationTrail), organizationId };
  }

  async listKeys(bucket: string, prefix: string, startAfter: string | null): Promise<{ keys: string[]; more: boolean }> {
    const data = await this.client.call(
      `query($input: ListObjectsInput!, $after: String) { listObjects(input: $input, first: 300, after: $after) { edges { node { key } } pageInfo { hasNextPage } } }`,
      // 300 keys a page stays under the default query complexity limit. Page tokens carry the last
      // key (src/common/page-token.ts): a marker is a token of the key before.
      { input: { bucketName: bucket, prefix }, after: startAfter === null ? null : encodePageToken(startAfter) },
    );
    return { keys: data.listObjects.edges.map((e: any) => e.node.key), more: data.listObjects.pageInfo.hasNextPage };
  }

  async getObject(bucket: string, key: string): Promise<SourceObject | null> {
    try {
      const data = await this.client.call(`query($input: GetObjectInput!) { getObject(input: $input) { body metadata { key value } } }`, {
        input: { bucketName: bucket, key },
      });
      const o = data.getObject;
      return {
        body: Buffer.from(o.body, 'base64'),
        metadata: Object.fromEntries(o.metadata.map((m: { key: string; value: string }) => [m.key, m.value])),
      };
    } catch (err) {
      if (err instanceof GraphQLCallError && err.code === 'NoSuchKey') return null;
      throw err;
    }
  }

  async listPublicKeys(start: Date, end: Date): Promise<SourcePublicKey[]> {
    const data = await this.client.call(
      `query($input: ListPublicKeysInput) { listPublicKeys(input: $input) { publicKeyList { value fingerprint } } }`,
      {
        input: { startTime: start.toISOString(), endTime: end.toISOString() },
      },
    );
    return data.listPublicKeys.publicKeyList.map((k: { value: string; fingerprint: string }) => ({
      fingerprint: k.fingerprint,
      value: Buffer.from(k.value, 'base64'),
    }));
  }
}
