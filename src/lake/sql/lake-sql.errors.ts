import { OpenTrailError } from '../../common/errors';

/**
 * A statement the dialect refuses: CloudTrail's InvalidQueryStatementException, with Trino's
 * `line L:C: ` prefix pointing at the offending part of the statement as the caller wrote it.
 */
export class InvalidQueryStatement extends OpenTrailError {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super('InvalidQueryStatementException', line ? `line ${line}:${column}: ${message}` : message);
  }
}

/** Line and column (1-based) of a 0-based offset in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}
