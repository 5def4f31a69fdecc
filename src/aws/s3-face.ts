import { decodePageToken } from '../common/page-token';
import type { AwsRequest, AwsResponse, AwsServiceFace, GraphQLRunResult, RunGraphQL } from './aws-face';
import { awsError, escapeXml } from './aws-errors';
import { objectHeaders, rangeOf } from './s3-objects';
import { locationConstraintOf, S3_NAMESPACE, s3Document, s3Time, urlEncodeKey, type XmlNode } from './s3-xml';

/**
 * S3 in REST-XML, path-style (`/bucket/key`), for OpenTrail's buckets: what log consumers and the
 * AWS CLI's own `validate-logs` use. Each request runs the GraphQL operation of the same name
 * (listObjects, getObject, putBucketPolicy …) through the API's GraphQL server, so the catalog
 * authorizes and self-audits it as on /graphql: s3:GetObject and s3:ListBucket as data events,
 * bucket calls as management events.
 */

/** GraphQL's codes as S3 names them, with S3's statuses (S3's own codes keep theirs, below). */
const RENAMED: Record<string, { code: string; status: number }> = {
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  ThrottlingException: { code: 'SlowDown', status: 503 },
  ServiceUnavailableException: { code: 'ServiceUnavailable', status: 503 },
  InternalFailure: { code: 'InternalError', status: 500 },
  BAD_USER_INPUT: { code: 'InvalidArgument', status: 400 },
  GRAPHQL_VALIDATION_FAILED: { code: 'InvalidArgument', status: 400 },
  InvalidObjectKey: { code: 'InvalidArgument', status: 400 },
};
const STATUS: Record<string, number> = {
  AccessDenied: 403,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchBucketPolicy: 404,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
};

/** Query parameters S3 operations take; any other (a subresource such as ?acl or ?uploads) is one this face does not have. */
const KNOWN_QUERY = new Set([
  'policy',
  'location',
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'marker',
  'x-id',
]);

class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Runs a GraphQL document as the request's caller. */
type Run = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLRunResult>;
type Handler = (request: AwsRequest, bucket: string, key: string, run: Run) => Promise<AwsResponse>;

const xmlResponse = (body: string, status = 200): AwsResponse => ({ status, headers: { 'content-type': 'application/xml' }, body });
const empty = (status: number, headers: Record<string, string> = {}): AwsResponse => ({ status, headers, body: '' });

/** The operation's data, or the S3 error its first GraphQL error becomes. */
function dataOf(result: GraphQLRunResult, field: string): any {
  const error = result.errors?.[0];
  if (!error && result.data?.[field] !== undefined && result.data[field] !== null) return result.data[field];
  const code = String(error?.extensions?.code ?? 'InternalFailure');
  const renamed = RENAMED[code];
  const message = error?.message ?? 'We encountered an internal error. Please try again.';
  if (renamed)
    throw new S3Error(
      renamed.code,
      renamed.code === 'InternalError' ? 'We encountered an internal error. Please try again.' : message,
      renamed.status,
    );
  throw new S3Error(code, message, STATUS[code] ?? 400);
}

/** MaxKeys: 0 to 1000 (more is 1000, as S3 caps it); 1000 when absent. */
function maxKeysOf(query: URLSearchParams): number {
  const raw = query.get('max-keys');
  if (raw === null || raw === '') return 1000;
  if (!/^\d{1,10}$/.test(raw)) throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range');
  return Math.min(1000, Number(raw));
}

const LIST_OBJECTS =
  'query($input: ListObjectsInput!, $first: Int, $after: String) { listObjects(input: $input, first: $first, after: $after) ' +
  '{ edges { node { key size lastModified } } commonPrefixes pageInfo { hasNextPage endCursor } } }';

interface ListPage {
  contents: XmlNode[];
  prefixes: XmlNode[];
  truncated: boolean;
  endCursor: string | null;
}

/** One page of listObjects as S3's Contents and CommonPrefixes (keys url-encoded if asked). */
async function listPage(
  run: Run,
  bucket: string,
  opts: { prefix: string; delimiter: string; startAfter: string | null; after: string | null; maxKeys: number },
  encode: (s: string) => string,
): Promise<ListPage> {
  const input = { bucketName: bucket, prefix: opts.prefix || null, delimiter: opts.delimiter || null, startAfter: opts.startAfter };
  // MaxKeys 0 is an empty page; the call still runs so that it is authorized and audited.
  const first = Math.max(1, opts.maxKeys);
  const page = dataOf(await run(LIST_OBJECTS, { input, first, after: opts.after }), 'listObjects');
  if (opts.maxKeys === 0) return { contents: [], prefixes: [], truncated: false, endCursor: null };
  return {
    contents: page.edges.map(({ node }: { node: { key: string; size: number; lastModified: string } }) => ({
      Key: encode(node.key),
      LastModified: s3Time(node.lastModified),
      Size: node.size,
      StorageClass: 'STANDARD',
    })),
    prefixes: page.commonPrefixes.map((p: string) => ({ Prefix: encode(p) })),
    truncated: page.pageInfo.hasNextPage,
    endCursor: page.pageInfo.endCursor,
  };
}

function encoderOf(query: URLSearchParams): (s: string) => string {
  const type = query.get('encoding-type');
  if (type !== null && type !== 'url') throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request');
  return type === 'url' ? urlEncodeKey : (s) => s;
}

const listObjectsV2: Handler = async (request, bucket, _key, run) => {
  const q = request.query;
  const encode = encoderOf(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  const maxKeys = maxKeysOf(q);
  const page = await listPage(run, bucket, { prefix, delimiter, startAfter, after: token, maxKeys }, encode);
  return xmlResponse(
    s3Document('ListBucketResult', {
      Name: bucket,
      Prefix: encode(prefix),
      Delimiter: delimiter ? encode(delimiter) : null,
      MaxKeys: maxKeys,
      KeyCount: page.contents.length + page.prefixes.length,
      IsTruncated: page.truncated,
      ContinuationToken: token,
      NextContinuationToken: page.truncated ? page.endCursor : null,
      StartAfter: startAfter === null ? null : encode(startAfter),
      EncodingType: q.get('encoding-type'),
      Contents: page.contents,
      CommonPrefixes: page.prefixes,
    }),
  );
};

/** ListObjects (version 1, Marker paging): what validate-logs pages digests with. */
const listObjectsV1: Handler = async (request, bucket, _key, run) => {
  const q = request.query;
  const encode = encoderOf(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const maxKeys = maxKeysOf(q);
  const page = await listPage(run, bucket, { prefix, delimiter, startAfter: marker || null, after: null, maxKeys }, encode);
  const next = page.truncated && page.endCursor ? decodePageToken(page.endCursor) : null;
  return xmlResponse(
    s3Document('ListBucketResult', {
      Name: bucket,
      Prefix: encode(prefix),
      Marker: encode(marker),
      NextMarker: next === null ? null : encode(next),
      MaxKeys: maxKeys,
      Delimiter: delimiter ? encode(delimiter) : null,
      IsTruncated: page.truncated,
      EncodingType: q.get('encoding-type'),
      Contents: page.contents,
      CommonPrefixes: page.prefixes,
    }),
  );
};

const BUCKET_INPUT = (bucket: string) => ({ input: { bucketName: bucket } });

const listBuckets: Handler = async (request, _bucket, _key, run) => {
  const data = dataOf(await run('{ listBuckets { buckets { bucketName creationDate } } }'), 'listBuckets');
  const accountId = request.context.caller!.accountId;
  return xmlResponse(
    s3Document('ListAllMyBucketsResult', {
      Owner: { ID: accountId, DisplayName: accountId },
      Buckets: {
        Bucket: data.buckets.map((b: { bucketName: string; creationDate: string }) => ({
          Name: b.bucketName,
          CreationDate: s3Time(b.creationDate),
        })),
      },
    }),
  );
};

const createBucket: Handler = async (request, bucket, _key, run) => {
  const constraint = locationConstraintOf(request.body.toString('utf8'));
  // The bucket's region is the request's (its credential scope), as on /graphql.
  if (constraint !== null && constraint !== '' && constraint !== request.region)
    throw new S3Error(
      'IllegalLocationConstraintException',
      `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  const mutation = 'mutation($input: BucketNameInput!) { createBucket(input: $input) { bucketName } }';
  dataOf(await run(mutation, BUCKET_INPUT(bucket)), 'createBucket');
  return empty(200, { location: `/${bucket}` });
};

const headBucket: Handler = async (request, bucket, _key, run) => {
  const query = 'query($input: BucketNameInput!) { headBucket(input: $input) { region } }';
  const data = dataOf(await run(query, BUCKET_INPUT(bucket)), 'headBucket');
  return empty(200, { 'x-amz-bucket-region': data.region });
};

const deleteBucket: Handler = async (request, bucket, _key, run) => {
  dataOf(await run('mutation($input: BucketNameInput!) { deleteBucket(input: $input) }', BUCKET_INPUT(bucket)), 'deleteBucket');
  return empty(204);
};

const getBucketPolicy: Handler = async (request, bucket, _key, run) => {
  const query = 'query($input: BucketNameInput!) { getBucketPolicy(input: $input) { policy } }';
  const data = dataOf(await run(query, BUCKET_INPUT(bucket)), 'getBucketPolicy');
  return { status: 200, headers: { 'content-type': 'application/json' }, body: data.policy };
};

const putBucketPolicy: Handler = async (request, bucket, _key, run) => {
  const mutation = 'mutation($input: PutBucketPolicyInput!) { putBucketPolicy(input: $input) { bucketName } }';
  const input = { bucketName: bucket, policy: request.body.toString('utf8') };
  dataOf(await run(mutation, { input }), 'putBucketPolicy');
  return empty(204);
};

const deleteBucketPolicy: Handler = async (request, bucket, _key, run) => {
  const mutation = 'mutation($input: BucketNameInput!) { deleteBucketPolicy(input: $input) }';
  dataOf(await run(mutation, BUCKET_INPUT(bucket)), 'deleteBucketPolicy');
  return empty(204);
};

const getBucketLocation: Handler = async (request, bucket, _key, run) => {
  const query = 'query($input: BucketNameInput!) { getBucketLocation(input: $input) { locationConstraint } }';
  const region: string = dataOf(await run(query, BUCKET_INPUT(bucket)), 'getBucketLocation').locationConstraint;
  // S3 answers us-east-1 with an empty constraint.
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}">` +
    `${region === 'us-east-1' ? '' : escapeXml(region)}</LocationConstraint>`;
  return xmlResponse(body);
};

const HEAD_FIELDS =
  'key eTag contentLength contentType contentEncoding lastModified metadata { key value } serverSideEncryption ssekmsKeyId';

const getObject: Handler = async (request, bucket, key, run) => {
  const query = `query($input: GetObjectInput!) { getObject(input: $input) { ${HEAD_FIELDS} body } }`;
  const object = dataOf(await run(query, { input: { bucketName: bucket, key } }), 'getObject');
  const body = Buffer.from(object.body, 'base64');
  const range = rangeOf(request.headers.range, body.length);
  if (range === 'unsatisfiable') throw new S3Error('InvalidRange', 'The requested range is not satisfiable', 416);
  const headers = objectHeaders(object);
  if (!range) return { status: 200, headers: { ...headers, 'content-length': String(body.length) }, body };
  const part = body.subarray(range.start, range.end + 1);
  return {
    status: 206,
    headers: { ...headers, 'content-length': String(part.length), 'content-range': `bytes ${range.start}-${range.end}/${body.length}` },
    body: part,
  };
};

const headObject: Handler = async (request, bucket, key, run) => {
  const query = `query($input: GetObjectInput!) { headObject(input: $input) { ${HEAD_FIELDS} } }`;
  const object = dataOf(await run(query, { input: { bucketName: bucket, key } }), 'headObject');
  return empty(200, { ...objectHeaders(object), 'content-length': String(object.contentLength) });
};

const putObject: Handler = async (request, bucket, key, run) => {
  const h = request.headers;
  if (h['x-amz-copy-source']) throw new S3Error('NotImplemented', 'CopyObject is not served by this endpoint.', 501);
  if (String(h['content-encoding'] ?? '').includes('aws-chunked'))
    throw new S3Error('NotImplemented', 'Chunked uploads (aws-chunked) are not served by this endpoint; send the body whole.', 501);
  const sse = h['x-amz-server-side-encryption'];
  if (sse !== undefined && sse !== 'AES256')
    throw new S3Error('NotImplemented', 'Objects a caller puts are encrypted with SSE-S3 (AES256) only.', 501);
  const metadata = Object.entries(h)
    .filter(([name]) => name.startsWith('x-amz-meta-'))
    .map(([name, value]) => ({ key: name.slice('x-amz-meta-'.length), value: Array.isArray(value) ? value.join(',') : String(value) }));
  const input = {
    bucketName: bucket,
    key,
    body: request.body.toString('base64'),
    contentType: typeof h['content-type'] === 'string' ? h['content-type'] : null,
    contentEncoding: typeof h['content-encoding'] === 'string' ? h['content-encoding'] : null,
    metadata,
  };
  const mutation = 'mutation($input: PutObjectInput!) { putObject(input: $input) { eTag } }';
  const data = dataOf(await run(mutation, { input }), 'putObject');
  return empty(200, { etag: `"${data.eTag}"`, 'x-amz-server-side-encryption': 'AES256' });
};

const deleteObject: Handler = async (request, bucket, key, run) => {
  const mutation = 'mutation($input: GetObjectInput!) { deleteObject(input: $input) }';
  dataOf(await run(mutation, { input: { bucketName: bucket, key } }), 'deleteObject');
  return empty(204);
};

/** How a path-style request names an S3 operation: its method, what it addresses, and its subresource. */
interface S3Operation {
  name: string;
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  on: 'service' | 'bucket' | 'object';
  subresource?: 'policy' | 'location';
  /** ListObjectsV2 and ListObjects differ by `list-type=2`. */
  listType2?: boolean;
  handler: Handler;
}

/** The S3 operations this face serves (the README's list is generated from it). */
const S3_OPERATIONS: S3Operation[] = [
  { name: 'ListBuckets', method: 'GET', on: 'service', handler: listBuckets },
  { name: 'CreateBucket', method: 'PUT', on: 'bucket', handler: createBucket },
  { name: 'HeadBucket', method: 'HEAD', on: 'bucket', handler: headBucket },
  { name: 'DeleteBucket', method: 'DELETE', on: 'bucket', handler: deleteBucket },
  { name: 'ListObjectsV2', method: 'GET', on: 'bucket', listType2: true, handler: listObjectsV2 },
  { name: 'ListObjects', method: 'GET', on: 'bucket', listType2: false, handler: listObjectsV1 },
  { name: 'GetBucketPolicy', method: 'GET', on: 'bucket', subresource: 'policy', handler: getBucketPolicy },
  { name: 'PutBucketPolicy', method: 'PUT', on: 'bucket', subresource: 'policy', handler: putBucketPolicy },
  { name: 'DeleteBucketPolicy', method: 'DELETE', on: 'bucket', subresource: 'policy', handler: deleteBucketPolicy },
  { name: 'GetBucketLocation', method: 'GET', on: 'bucket', subresource: 'location', handler: getBucketLocation },
  { name: 'GetObject', method: 'GET', on: 'object', handler: getObject },
  { name: 'HeadObject', method: 'HEAD', on: 'object', handler: headObject },
  { name: 'PutObject', method: 'PUT', on: 'object', handler: putObject },
  { name: 'DeleteObject', method: 'DELETE', on: 'object', handler: deleteObject },
];

export const S3_OPERATION_NAMES: readonly string[] = S3_OPERATIONS.map((op) => op.name);

/** The operation a path-style request names, or null for one this face does not serve. */
function handlerOf(method: string, hasBucket: boolean, hasKey: boolean, query: URLSearchParams): Handler | null {
  const on = !hasBucket ? 'service' : hasKey ? 'object' : 'bucket';
  const subresource = on !== 'bucket' ? undefined : query.has('policy') ? 'policy' : query.has('location') ? 'location' : undefined;
  const listType2 = query.get('list-type') === '2';
  const op = S3_OPERATIONS.find(
    (o) => o.method === method && o.on === on && o.subresource === subresource && (o.listType2 === undefined || o.listType2 === listType2),
  );
  return op?.handler ?? null;
}

export function s3Face(runGraphQL: RunGraphQL): AwsServiceFace {
  return async (request) => {
    const run: Run = (query, variables) => runGraphQL(request.context, query, variables);
    const requestId = request.context.meta.requestId;
    const [, bucket = '', ...rest] = request.path.split('/');
    const key = rest.join('/');
    try {
      const unknown = [...request.query.keys()].find(
        (name) => !KNOWN_QUERY.has(name) && !name.startsWith('X-Amz-') && !name.startsWith('response-'),
      );
      const handler = unknown === undefined ? handlerOf(request.method, bucket !== '', key !== '', request.query) : null;
      if (!handler)
        throw new S3Error(
          'NotImplemented',
          `A header or query you provided implies functionality that is not implemented: ${request.method} ${unknown ? `?${unknown.slice(0, 40)}` : request.path.slice(0, 200)}`,
          501,
        );
      const response = await handler(request, bucket, key, run);
      return { ...response, headers: { 'x-amz-request-id': requestId, ...response.headers } };
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      const response = awsError('rest-xml', 's3', err.code, err.message, err.status, requestId);
      // HEAD answers carry no body: botocore reads the status alone.
      return request.method === 'HEAD' ? { ...response, body: '' } : response;
    }
  };
}
