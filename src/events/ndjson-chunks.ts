/**
 * Cuts an NDJSON byte stream into chunks of whole lines for the ingest parsers, without decoding
 * or splitting lines here (the parsers do both, off the request's thread). Memory stays bounded:
 * a chunk is cut as soon as it holds `chunkBytes` of whole lines, and a line that grows past
 * `maxLineBytes` before its newline arrives is dropped as it streams in (reported in its place).
 * Cutting after a newline byte never splits a UTF-8 character: 0x0A occurs in no multi-byte one.
 */
export type NdjsonChunk =
  /** Whole lines; the last may lack its newline only at the end of the stream. */
  | { kind: 'lines'; data: Buffer }
  /** One line longer than maxLineBytes, discarded. */
  | { kind: 'tooLong' };

const NEWLINE = 0x0a;

export async function* ndjsonChunks(
  stream: AsyncIterable<Uint8Array | string>,
  opts: { chunkBytes: number; maxLineBytes: number },
): AsyncGenerator<NdjsonChunk> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes of the unfinished line at the end of `pending`. */
  let partial = 0;
  /** Inside an over-long line: bytes are dropped until its newline. */
  let skipping = false;

  const take = (bytes: number): Buffer => {
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    const rest = all.subarray(bytes);
    pending = rest.length > 0 ? [rest] : [];
    pendingBytes = rest.length;
    return all.subarray(0, bytes);
  };

  for await (const input of stream) {
    let data = typeof input === 'string' ? Buffer.from(input) : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (skipping) {
      const nl = data.indexOf(NEWLINE);
      if (nl === -1) continue;
      skipping = false;
      yield { kind: 'tooLong' };
      data = data.subarray(nl + 1);
    }
    if (data.length === 0) continue;
    const lastNl = data.lastIndexOf(NEWLINE);
    partial = lastNl === -1 ? partial + data.length : data.length - lastNl - 1;
    pending.push(data);
    pendingBytes += data.length;
    if (partial > opts.maxLineBytes) {
      // The whole lines before the long one go first, then the long one is skipped.
      if (pendingBytes > partial) yield { kind: 'lines', data: take(pendingBytes - partial) };
      pending = [];
      pendingBytes = 0;
      partial = 0;
      skipping = true;
      continue;
    }
    if (pendingBytes - partial >= opts.chunkBytes) yield { kind: 'lines', data: take(pendingBytes - partial) };
  }
  if (skipping) yield { kind: 'tooLong' };
  else if (pendingBytes > 0) yield { kind: 'lines', data: take(pendingBytes) };
}
