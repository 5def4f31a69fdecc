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

/** The options of `validate-logs`, in `node:util` parseArgs form (the CLI adds --help). */
export const VALIDATE_LOGS_OPTIONS = {
  'trail-arn': { type: 'string' },
  'start-time': { type: 'string' },
  'end-time': { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-prefix': { type: 'string' },
  endpoint: { type: 'string' },
  'credentials-file': { type: 'string' },
  verbose: { type: 'boolean' },
  'cloudtrail-hashes-only': { type: 'boolean' },
} as const;

export type ValidateLogsOptions = {
  [K in keyof typeof VALIDATE_LOGS_OPTIONS]?: (typeof VALIDATE_LOGS_OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

function credentials(opts: ValidateLogsOptions, env: NodeJS.ProcessEnv): { accessKeyId: string; secretAccessKey: string } {
  if (env.OPENTRAIL_ACCESS_KEY_ID && env.OPENTRAIL_SECRET_ACCESS_KEY && opts['credentials-file'] === undefined) {
    return { accessKeyId: env.OPENTRAIL_ACCESS_KEY_ID, secretAccessKey: env.OPENTRAIL_SECRET_ACCESS_KEY };
  }
  const file = opts['credentials-file'] ?? env.OPENTRAIL_CREDENTIALS_FILE;
  if (!file) throw new UsageError('no credentials: set OPENTRAIL_ACCESS_KEY_ID and OPENTRAIL_SECRET_ACCESS_KEY, or --credentials-file');
  let parsed: { accessKeyId?: unknown; secretAccessKey?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read credentials file ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string')
    throw new UsageError(`${file} has no accessKeyId/secretAccessKey`);
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
export async function validateLogsCommand(opts: ValidateLogsOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const trailArn = opts['trail-arn'];
  const start = opts['start-time'];
  if (typeof trailArn !== 'string') throw new UsageError('validate-logs needs --trail-arn');
  if (typeof start !== 'string') throw new UsageError('validate-logs needs --start-time');
  const startTime = parseLenient(start);
  if (!startTime) throw new UsageError(`invalid --start-time ${JSON.stringify(start)}`);
  const end = opts['end-time'];
  const endTime = typeof end === 'string' ? parseLenient(end) : new Date();
  if (!endTime) throw new UsageError(`invalid --end-time ${JSON.stringify(end)}`);
  const region = opts.region ?? env.OPENTRAIL_REGION ?? null;
  const homeRegion = trailArn.split(':')[3] || null;
  const endpoint = opts.endpoint ?? env.OPENTRAIL_ENDPOINT ?? 'http://127.0.0.1:4000/graphql';
  const client = new GraphQLClient(endpoint, credentials(opts, env), region ?? homeRegion);

  const verbose = opts.verbose === true;
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
      s3Bucket: opts['s3-bucket'],
      s3Prefix: opts['s3-prefix'],
      accountId: opts['account-id'],
      objectHashShortcut: opts['cloudtrail-hashes-only'] !== true,
    },
    { onEntry: (e) => printer.entry(e), onProgress: (d, l) => progress.update(d, l) },
  );
  progress.clear();
  printer.summary(summary);
  return hasInvalid(summary) ? 1 : 0;
}
