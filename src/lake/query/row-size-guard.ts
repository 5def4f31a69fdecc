/**
 * Watches the bytes PostgreSQL sends on a connection and reports the first DataRow message
 * longer than `maxRowBytes`, from its 5-byte header: pg's parser would otherwise buffer the whole
 * message (a 250 MB `lpad` value is one message) and then copy it into a string, so the cap has
 * to act before the row exists in Node. Attach it on an idle connection (the next byte starts a
 * message); it sees the same chunks as pg's own listener.
 */
export function watchRowSizes(
  socket: { on(event: 'data', l: (chunk: Buffer) => void): unknown; off(event: 'data', l: (chunk: Buffer) => void): unknown },
  maxRowBytes: number,
  onTooLarge: (bytes: number) => void,
): () => void {
  const header = Buffer.alloc(5);
  let headerFill = 0;
  let skip = 0; // body bytes of the current message still to pass
  let reported = false;
  const listener = (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length && !reported) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(5 - headerFill, chunk.length - at);
      chunk.copy(header, headerFill, at, at + n);
      headerFill += n;
      at += n;
      if (headerFill < 5) return;
      headerFill = 0;
      const length = header.readUInt32BE(1); // includes its own 4 bytes
      // 'D' = DataRow (PostgreSQL frontend/backend protocol).
      if (header[0] === 0x44 && length - 4 > maxRowBytes) {
        reported = true;
        onTooLarge(length - 4);
        return;
      }
      skip = length - 4;
    }
  };
  socket.on('data', listener);
  return () => socket.off('data', listener);
}
