import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit, openDatabase, rootLogger } from '../app/boot';
import { buildOpenTrailSchema, printOpenTrailSchema } from '../graphql/schema';
import { UsageError, VALIDATE_LOGS_USAGE, validateLogsCommand } from '../integrity/validate-logs.command';
import { createOrganizationWithAdmin } from '../organizations/organization-bootstrap';

const USAGE = `usage: opentrail <command> [options]

Operator commands (talk to the database named by DATABASE_URL directly):
  create-organization --name NAME [--email EMAIL]
                      create an organization with its management account and an admin user;
                      prints {organizationId, accountId, userName, accessKeyId, secretAccessKey}
  migrate             apply pending database migrations

User commands (talk to the GraphQL API):
${VALIDATE_LOGS_USAGE}
Developer commands:
  emit-schema [--check]
                      write the GraphQL SDL to schema/schema.graphql (--check: exit 1 if stale)
`;


function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) fail(`${name} needs a value`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`opentrail: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function createOrganization(args: string[]): Promise<void> {
  const name = option(args, '--name') ?? fail('create-organization needs --name');
  const email = option(args, '--email');
  const config = loadConfigOrExit();
  const db = await openDatabase(config, rootLogger({ ...config, logLevel: 'warn' }));
  try {
    const credentials = await db.dataSource.transaction((m) => createOrganizationWithAdmin(m, name, email));
    process.stdout.write(JSON.stringify(credentials, null, 2) + '\n');
  } finally {
    await db.close();
  }
}

async function migrate(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = rootLogger(config);
  const db = await openDatabase(config, logger);
  await db.close();
  process.stdout.write('migrations are up to date\n');
}

async function emitSchema(args: string[]): Promise<void> {
  const sdl = printOpenTrailSchema(await buildOpenTrailSchema());
  const file = path.resolve(process.cwd(), 'schema', 'schema.graphql');
  if (args.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== sdl) {
      process.stderr.write('schema/schema.graphql is stale: run npm run schema\n');
      process.exit(1);
    }
    process.stdout.write('schema/schema.graphql is up to date\n');
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, sdl);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

async function validateLogs(args: string[]): Promise<void> {
  let code: number;
  try {
    code = await validateLogsCommand(args);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message);
    // Fatal errors (bad arguments, no public keys, access denied) end the run, as in the AWS CLI.
    process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(255);
  }
  process.exitCode = code;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'create-organization':
      return createOrganization(args);
    case 'migrate':
      return migrate();
    case 'emit-schema':
      return emitSchema(args);
    case 'validate-logs':
      return validateLogs(args);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`opentrail: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
