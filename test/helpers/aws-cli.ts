import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What a client process printed. */
export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real AWS clients of this machine (the AWS CLI v1 and boto3 of Python 3.11) against a
 * server on loopback: no profile, no instance metadata, no retries, no network beyond the endpoint.
 */
export class AwsClients {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-aws-clients-'));
  private readonly env: Record<string, string>;

  constructor(private readonly endpoint: string) {
    fs.writeFileSync(path.join(this.dir, 'config'), '');
    fs.writeFileSync(path.join(this.dir, 'credentials'), '');
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.dir,
      AWS_CONFIG_FILE: path.join(this.dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.dir, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_RETRY_MODE: 'standard',
      AWS_MAX_ATTEMPTS: '1',
    };
  }

  /** python3 with these arguments (and stdin), in the clients' environment plus `env`. */
  python(args: string[], env: Record<string, string>, input?: string): Promise<ClientRun> {
    return new Promise((resolve) => {
      const child = execFile('python3', args, { env: { ...this.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
      if (input !== undefined) child.stdin!.end(input);
    });
  }

  /** `aws <args> --endpoint-url … --region us-east-1 --output json` with the given credentials. */
  cli(args: string[], env: Record<string, string>): Promise<ClientRun> {
    return this.python(['-m', 'awscli', ...args, '--endpoint-url', this.endpoint, '--region', 'us-east-1', '--output', 'json'], env);
  }

  close(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The environment that hands a key pair (and session token) to the AWS clients. */
export const awsKeys = (accessKeyId: string, secretAccessKey: string, sessionToken?: string) => ({
  AWS_ACCESS_KEY_ID: accessKeyId,
  AWS_SECRET_ACCESS_KEY: secretAccessKey,
  ...(sessionToken ? { AWS_SESSION_TOKEN: sessionToken } : {}),
});
