import { StringDecoder } from 'node:string_decoder';

export interface NdjsonLine {
  /** 1-based line number in the body. */
  line: number;
  /** The line's text, or null when it exceeded `maxLineBytes` (its content was discarded). */
  text: string | null;
}

/**
 * Splits a byte stream into lines without ever holding more than one line (plus one chunk):
 * consuming lines slower than they arrive pauses the stream (async iteration is pull-based), and
 * an over-long line is skipped rather than buffered. Blank lines are not yielded.
 */
export async function* ndjsonLines(stream: AsyncIterable<Buffer | string>, maxLineBytes: number): AsyncGenerator<NdjsonLine> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let tooLong = false;
  let line = 0;
  const emit = (text: string): NdjsonLine | null => {
    line++;
    if (tooLong) return { line, text: null };
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    return trimmed.trim() === '' ? null : { line, text: trimmed };
  };
  for await (const chunk of stream) {
    let data = partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    partial = '';
    let start = 0;
    for (let nl = data.indexOf('\n', start); nl !== -1; nl = data.indexOf('\n', start)) {
      const out = emit(data.slice(start, nl));
      tooLong = false;
      start = nl + 1;
      if (out) yield out;
    }
    data = data.slice(start);
    // Characters are ≤ 4 bytes: past maxLineBytes/4 characters the line may be too long; measure.
    if (!tooLong && data.length * 4 > maxLineBytes && Buffer.byteLength(data) > maxLineBytes) {
      tooLong = true;
      data = '';
    }
    partial = tooLong ? '' : data;
  }
  const rest = partial + decoder.end();
  if (rest !== '' || tooLong) {
    const out = emit(rest);
    if (out) yield out;
  }
}
