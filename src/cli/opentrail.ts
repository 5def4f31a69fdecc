import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfigOrExit, openDatabase, rootLogger } from '../app/boot';
import { buildOpenTrailSchema, printOpenTrailSchema } from '../graphql/schema';
import {
  UsageError,
  VALIDATE_LOGS_OPTIONS,
  VALIDATE_LOGS_USAGE,
  validateLogsCommand,
  type ValidateLogsOptions,
} from '../integrity/validate-logs.command';
import { createOrganizationWithAdmin } from '../organizations/organization-bootstrap';
import { MasterKey } from '../crypto/master-key';
import { AccessKeySecrets } from '../principals/access-key-secrets';

type Options = NonNullable<ParseArgsConfig['options']>;

interface Command {
  usage: string;
  options: Options;
  run(values: Record<string, string | boolean | undefined>): Promise<void>;
}

const HELP: Options = { help: { type: 'boolean', short: 'h' } };

const COMMANDS: Record<string, Command> = {
  'create-organization': {
    usage: `  create-organization --name NAME [--email EMAIL]
                      create an organization with its management account and an admin user;
                      prints {organizationId, accountId, userName, accessKeyId, secretAccessKey}
`,
    options: { name: { type: 'string' }, email: { type: 'string' } },
    async run(values) {
      if (typeof values.name !== 'string') throw new UsageError('create-organization needs --name');
      const email = typeof values.email === 'string' ? values.email : undefined;
      const config = loadConfigOrExit();
      const db = await openDatabase(config, rootLogger({ ...config, logLevel: 'warn' }));
      try {
        const secrets = new AccessKeySecrets(MasterKey.fromConfig(config));
        const credentials = await db.dataSource.transaction((m) => createOrganizationWithAdmin(m, values.name as string, email, secrets));
        process.stdout.write(JSON.stringify(credentials, null, 2) + '\n');
      } finally {
        await db.close();
      }
    },
  },
  migrate: {
    usage: `  migrate             apply pending database migrations (DATABASE_URL)
`,
    options: {},
    async run() {
      const config = loadConfigOrExit();
      const db = await openDatabase(config, rootLogger(config));
      await db.close();
      process.stdout.write('migrations are up to date\n');
    },
  },
  'validate-logs': {
    usage: VALIDATE_LOGS_USAGE,
    options: VALIDATE_LOGS_OPTIONS,
    async run(values) {
      let code: number;
      try {
        code = await validateLogsCommand(values as ValidateLogsOptions);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        // Fatal errors (no public keys, access denied, unreadable digests) end the run, as in the AWS CLI.
        process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(255);
      }
      process.exitCode = code;
    },
  },
  'emit-schema': {
    usage: `  emit-schema [--check]
                      write the GraphQL SDL to schema/schema.graphql (--check: exit 1 if stale)
`,
    options: { check: { type: 'boolean' } },
    async run(values) {
      const sdl = printOpenTrailSchema(await buildOpenTrailSchema());
      const file = path.resolve(process.cwd(), 'schema', 'schema.graphql');
      if (values.check) {
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
    },
  },
};

const USAGE = `usage: opentrail <command> [options]     (opentrail <command> --help: that command's usage)

Operator commands (talk to the database named by DATABASE_URL directly):
${COMMANDS['create-organization'].usage}${COMMANDS.migrate.usage}
User commands (talk to the GraphQL API):
${VALIDATE_LOGS_USAGE}
Developer commands:
${COMMANDS['emit-schema'].usage}`;

function fail(message: string, usage = USAGE): never {
  process.stderr.write(`opentrail: ${message}\n\nusage:\n${usage}`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) fail(`unknown command '${name}'`);
  let values: Record<string, string | boolean | undefined>;
  try {
    // No option is `multiple`, so every value is a string or a boolean.
    values = parseArgs({ args, options: { ...command.options, ...HELP }, strict: true, allowPositionals: false }).values as typeof values;
  } catch (err) {
    fail((err as Error).message, command.usage);
  }
  // --help answers with the usage and does nothing else (it used to run migrations or rewrite the schema).
  if (values.help) {
    process.stdout.write(`usage:\n${command.usage}`);
    return;
  }
  try {
    await command.run(values);
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, command.usage);
    throw err;
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`opentrail: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
