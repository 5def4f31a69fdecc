import fs from 'node:fs';
import { parseLenient } from './digest-time';
import { GraphQLClient, GraphQLValidationSource } from './graphql-source';
import { hasInvalid, ValidationPrinter } from './validation-output';
import { validateLogs } from './validator';

export const VALIDATE_LOGS_USAGE = `  validate-logs --trail-arn ARN --start-time TIME [--end-time TIME] [--verbose]
                [--region REGION] [--account-id ID] [--s3-bucket BUCKET] [--s3-prefix PREFIX]
                [--endpoint URL] [--credentials-file FILE] [--cloudtrail-hashes-only]
                      validate the trail's digest and log files over the API, as
                      \`aws cloudtrail validate-logs\` does; exit 1 if anything is INVALID.
                      Endpoint: --endpoint, OPENTRAIL_ENDPOINT or http://127.0.0.1:4000/graphql.
                      Keys: OPENTRAIL_ACCESS_KEY_ID + OPENTRAIL_SECRET_ACCESS_KEY, or a JSON file
                      {accessKeyId, secretAccessKey} (--credentials-file, OPENTRAIL_CREDENTIALS_FILE).
                      Region (the source region validated): --region, OPENTRAIL_REGION, else the
                      trail's home region. --cloudtrail-hashes-only: inflate and hash every log
                      file as the AWS CLI does, ignoring the signed object hashes of OpenTrail's
                      digests (the same verdicts, several times slower).
`;

export class UsageError extends Error {}

const VALUE_OPTIONS = ['--trail-arn', '--start-time', '--end-time', '--region', '--account-id', '--s3-bucket', '--s3-prefix', '--endpoint', '--credentials-file'];

function parseArgs(args: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--verbose' || a === '--cloudtrail-hashes-only') out.set(a, true);
    else if (VALUE_OPTIONS.includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      out.set(a, v);
    } else throw new UsageError(`unknown option '${a}'`);
  }
  return out;
}

function credentials(opts: Map<string, string | true>, env: NodeJS.ProcessEnv): { accessKeyId: string; secretAccessKey: string } {
  if (env.OPENTRAIL_ACCESS_KEY_ID && env.OPENTRAIL_SECRET_ACCESS_KEY && !opts.has('--credentials-file')) {
    return { accessKeyId: env.OPENTRAIL_ACCESS_KEY_ID, secretAccessKey: env.OPENTRAIL_SECRET_ACCESS_KEY };
  }
  const file = (opts.get('--credentials-file') as string | undefined) ?? env.OPENTRAIL_CREDENTIALS_FILE;
  if (!file) throw new UsageError('no credentials: set OPENTRAIL_ACCESS_KEY_ID and OPENTRAIL_SECRET_ACCESS_KEY, or --credentials-file');
  let parsed: { accessKeyId?: unknown; secretAccessKey?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read credentials file ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') throw new UsageError(`${file} has no accessKeyId/secretAccessKey`);
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}

/** A one-line progress bar on a terminal's stderr; cleared before anything else is printed. */
export class Progress {
  private shown = false;
  constructor(private readonly stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>) {}
  update(done: number, listed: number): void {
    if (!this.stream.isTTY) return;
    const total = Math.max(listed, done);
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : 0;
    this.stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} digest files`);
    this.shown = true;
  }
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/** `opentrail validate-logs`: returns the exit code (0 all valid, 1 something INVALID). */
export async function validateLogsCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const opts = parseArgs(args);
  const trailArn = opts.get('--trail-arn');
  const start = opts.get('--start-time');
  if (typeof trailArn !== 'string') throw new UsageError('validate-logs needs --trail-arn');
  if (typeof start !== 'string') throw new UsageError('validate-logs needs --start-time');
  const startTime = parseLenient(start);
  if (!startTime) throw new UsageError(`invalid --start-time ${JSON.stringify(start)}`);
  const end = opts.get('--end-time');
  const endTime = typeof end === 'string' ? parseLenient(end) : new Date();
  if (!endTime) throw new UsageError(`invalid --end-time ${JSON.stringify(end)}`);
  const region = (opts.get('--region') as string | undefined) ?? env.OPENTRAIL_REGION ?? null;
  const homeRegion = trailArn.split(':')[3] || null;
  const endpoint = (opts.get('--endpoint') as string | undefined) ?? env.OPENTRAIL_ENDPOINT ?? 'http://127.0.0.1:4000/graphql';
  const client = new GraphQLClient(endpoint, credentials(opts, env), region ?? homeRegion);

  const verbose = opts.get('--verbose') === true;
  const progress = new Progress(process.stderr);
  const printer = new ValidationPrinter(
    (s) => {
      progress.clear();
      process.stdout.write(s);
    },
    (s) => {
      progress.clear();
      process.stderr.write(s);
    },
    verbose,
  );
  printer.header(trailArn, startTime, endTime);
  const summary = await validateLogs(
    new GraphQLValidationSource(client),
    {
      trailArn,
      startTime,
      endTime,
      region,
      s3Bucket: opts.get('--s3-bucket') as string | undefined,
      s3Prefix: opts.get('--s3-prefix') as string | undefined,
      accountId: opts.get('--account-id') as string | undefined,
      objectHashShortcut: opts.get('--cloudtrail-hashes-only') !== true,
    },
    { onEntry: (e) => printer.entry(e), onProgress: (d, l) => progress.update(d, l) },
  );
  progress.clear();
  printer.summary(summary);
  return hasInvalid(summary) ? 1 : 0;
}
