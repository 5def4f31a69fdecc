import { loadRegion, loadSession } from './session-store';

/** An API failure as CloudTrail reports it: its error code and message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Codes that mean the session is gone: the console returns to sign-in. */
const SESSION_ENDED = new Set([
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'MissingAuthenticationTokenException',
]);

type Listener = () => void;
const sessionEndedListeners = new Set<Listener>();

export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** Reports that the server refused the session elsewhere (e.g. the live socket): back to sign-in. */
export function reportSessionEnded(): void {
  sessionEndedListeners.forEach((l) => l());
}

export function isSessionEnded(err: unknown): boolean {
  return err instanceof ApiError && SESSION_ENDED.has(err.code);
}

/** Headers every API call carries: the bearer token and the chosen region. */
export function authHeaders(token = loadSession()?.token): Record<string, string> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const region = loadRegion();
  if (region) headers['x-region'] = region;
  return headers;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }>;
}

/** POST /graphql; resolves with data or rejects with the first error's code and message. */
export async function gql<T>(query: string, variables?: Record<string, unknown>, opts: { token?: string } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeaders(opts.token) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('NetworkError', 'The server could not be reached.');
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError('InternalFailure', `The server answered ${res.status} without a GraphQL body.`);
  }
  const first = body.errors?.[0];
  if (first) {
    const error = new ApiError(first.extensions?.code ?? 'InternalFailure', first.message, first.extensions?.field);
    // Only a session we sent can end; a failed sign-in is the sign-in page's own error.
    if (opts.token === undefined && isSessionEnded(error)) sessionEndedListeners.forEach((l) => l());
    throw error;
  }
  if (!body.data) throw new ApiError('InternalFailure', 'The server returned no data.');
  return body.data;
}
