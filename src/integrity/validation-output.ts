import { isoSeconds } from './digest-time';
import type { ValidationEntry, ValidationSummary } from './validator';

/**
 * validate-logs' console output (spec §6.8), byte for byte: the header on stdout; failures and
 * gaps on stderr, each followed by a blank line (and preceded by one unless the previous status
 * already ended with one); successes on stdout in verbose mode only; then the summary.
 */
export class ValidationPrinter {
  private lastWasDoubleSpaced = true;

  constructor(
    private readonly out: (s: string) => void,
    private readonly err: (s: string) => void,
    private readonly verbose: boolean,
  ) {}

  header(trailArn: string, start: Date, end: Date): void {
    this.out(`Validating log files for trail ${trailArn} between ${isoSeconds(start)} and ${isoSeconds(end)}\n\n`);
  }

  entry(e: ValidationEntry): void {
    const line = entryLine(e);
    if (!e.valid || e.kind === 'gap') {
      this.err(this.lastWasDoubleSpaced ? `${line}\n\n` : `\n${line}\n\n`);
      this.lastWasDoubleSpaced = true;
    } else if (this.verbose) {
      this.lastWasDoubleSpaced = false;
      this.out(`${line}\n`);
    }
  }

  summary(s: ValidationSummary): void {
    if (!this.lastWasDoubleSpaced) this.out('\n');
    this.out(summaryText(s));
  }
}

/** `<Kind>\t<s3://bucket/key>\t<result>`, prefixed `(backfill) ` for backfill digests' entries. */
export function entryLine(e: ValidationEntry): string {
  if (e.kind === 'gap') return e.result;
  const kind = e.kind === 'digest' ? 'Digest file' : 'Log file';
  return `${e.backfill ? '(backfill) ' : ''}${kind}\ts3://${e.bucket}/${e.key}\t${e.result}`;
}

/** From "Results requested …" to the end (the part after any status lines). */
export function summaryText(s: ValidationSummary): string {
  let text = `Results requested for ${isoSeconds(s.startTime)} to ${isoSeconds(s.endTime)}\n`;
  const digests = s.validDigests + s.invalidDigests + s.validBackfillDigests + s.invalidBackfillDigests;
  if (digests === 0) return `${text}No digests found\n`;
  if (!s.foundStartTime || !s.foundEndTime) text += 'No valid digests found in range\n';
  else text += `Results found for ${isoSeconds(s.foundStartTime)} to ${isoSeconds(s.foundEndTime)}:\n`;
  text += ratio(s.validDigests, s.invalidDigests, 'digest');
  text += ratio(s.validBackfillDigests, s.invalidBackfillDigests, 'backfill digest');
  text += ratio(s.validLogs, s.invalidLogs, 'log');
  return `${text}\n`;
}

function ratio(valid: number, invalid: number, name: string): string {
  const total = valid + invalid;
  if (total === 0) return '';
  return `\n${valid}/${total} ${name} files valid${invalid > 0 ? `, ${invalid}/${total} ${name} files INVALID` : ''}`;
}

/** Exit code: 1 when any digest (regular or backfill) or log file is invalid. */
export const hasInvalid = (s: ValidationSummary) => s.invalidDigests + s.invalidBackfillDigests + s.invalidLogs > 0;
