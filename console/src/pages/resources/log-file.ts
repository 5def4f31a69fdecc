/** Reading an object in the browser: base64 → bytes, gunzip when the bytes are gzip, and a log file's Records. */

export function base64Bytes(body: string): Uint8Array<ArrayBuffer> {
  const binary = atob(body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** gzip's magic number: CloudTrail log and digest files are gzip whatever their content encoding says. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export type ObjectContent =
  | { kind: 'records'; records: Array<Record<string, unknown>> }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'binary'; size: number };

/** What an object holds: a CloudTrail log file ({"Records": [...]}) as records, other JSON or text as such. */
export async function readObject(body: string): Promise<ObjectContent> {
  let bytes = base64Bytes(body);
  if (isGzip(bytes)) bytes = await gunzip(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { kind: 'binary', size: bytes.length };
  }
  try {
    const value: unknown = JSON.parse(text);
    const records = (value as { Records?: unknown })?.Records;
    if (Array.isArray(records)) return { kind: 'records', records: records as Array<Record<string, unknown>> };
    return { kind: 'json', value };
  } catch {
    return { kind: 'text', text };
  }
}
