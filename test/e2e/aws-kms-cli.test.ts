import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/** `aws kms …` (the AWS CLI v1, AWS JSON 1.1 `TrentService`) against the real server. */
describe('aws kms against OpenTrail', () => {
  let app: TestApp;
  let clients: AwsClients;
  let env: Record<string, string>;
  const aws = async (...args: string[]) => {
    const result = await clients.cli(['kms', ...args], env);
    return { ...result, json: result.code === 0 && result.stdout.trim() ? JSON.parse(result.stdout) : null };
  };

  beforeAll(async () => {
    app = await startTestApp();
    clients = new AwsClients(app.baseUrl);
    env = awsKeys(app.admin.accessKeyId, app.admin.secretAccessKey);
  });

  afterAll(async () => {
    await app?.close();
    clients?.close();
  });

  it('creates a key, names it with an alias, lists and describes it, reads its policy, and schedules its deletion', async () => {
    const created = await aws('create-key', '--description', 'trail logs');
    expect(created.stderr).toBe('');
    const key = created.json.KeyMetadata;
    expect(key).toMatchObject({
      Description: 'trail logs',
      KeyState: 'Enabled',
      KeyManager: 'CUSTOMER',
      AWSAccountId: app.admin.accountId,
    });
    expect(key.Arn).toBe(`arn:aws:kms:us-east-1:${app.admin.accountId}:key/${key.KeyId}`);

    expect((await aws('create-alias', '--alias-name', 'alias/trail-logs', '--target-key-id', key.KeyId)).code).toBe(0);
    const aliases = await aws('list-aliases');
    expect(aliases.json.Aliases).toContainEqual(expect.objectContaining({ AliasName: 'alias/trail-logs', TargetKeyId: key.KeyId }));
    expect((await aws('list-keys')).json.Keys).toContainEqual(expect.objectContaining({ KeyId: key.KeyId }));
    expect((await aws('describe-key', '--key-id', 'alias/trail-logs')).json.KeyMetadata.KeyId).toBe(key.KeyId);

    const policy = await aws('get-key-policy', '--key-id', key.KeyId, '--policy-name', 'default');
    expect(JSON.parse(policy.json.Policy).Statement.length).toBeGreaterThan(0);

    expect((await aws('disable-key', '--key-id', key.KeyId)).code).toBe(0);
    expect((await aws('describe-key', '--key-id', key.KeyId)).json.KeyMetadata.KeyState).toBe('Disabled');
    const scheduled = await aws('schedule-key-deletion', '--key-id', key.KeyId, '--pending-window-in-days', '7');
    expect(scheduled.json).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion' });
    expect((await aws('cancel-key-deletion', '--key-id', key.KeyId)).json.KeyId).toBe(key.Arn);
  });

  it("answers with KMS's errors, which the CLI prints", async () => {
    const missing = await aws('describe-key', '--key-id', '00000000-0000-0000-0000-000000000000');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NotFoundException/);
  });
});
