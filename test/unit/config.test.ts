import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.homeRegion).toBe('us-east-1');
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/opentrail');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.bootstrapCredentialsFile).toBe(`${config.dataDir}/bootstrap-credentials.json`);
    expect(config.eventHistoryRetentionDays).toBe(90);
  });

  it('reads overrides', () => {
    const config = loadConfig({ PORT: '8080', HOME_REGION: 'eu-west-1', DATA_DIR: '/tmp/ot', DATABASE_URL: 'postgresql://u@db/x' });
    expect(config).toMatchObject({ port: 8080, homeRegion: 'eu-west-1', dataDir: '/tmp/ot', databaseUrl: 'postgresql://u@db/x' });
    expect(config.bootstrapCredentialsFile).toBe('/tmp/ot/bootstrap-credentials.json');
  });

  it('names every wrong setting in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', HOME_REGION: 'mars-1', REDIS_URL: 'http://x', JWT_SECRET: 'short', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'HOME_REGION', 'REDIS_URL', 'JWT_SECRET', 'LOG_LEVEL']) expect(problems).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('reads REDIS_CLUSTER_NODES as host:port seeds and refuses anything else', () => {
    expect(loadConfig({}).redisClusterNodes).toEqual([]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001,[::1]:7002' }).redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    for (const bad of ['10.0.0.1', '10.0.0.1:0', 'a:70000', 'a:7000,,b:7001', 'redis://a:7000'])
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: bad })).toThrow(/REDIS_CLUSTER_NODES must be a comma-separated list of host:port/);
  });

  it('rejects out-of-range numbers', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a whole number from 0 to 65535/);
    expect(() => loadConfig({ SESSION_TTL_SECONDS: '10' })).toThrow(/SESSION_TTL_SECONDS/);
  });

  it('reads the sign-in throttle settings and refuses a maximum delay below the base delay', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({
      signinFreeFailuresPerKeyAddress: 5,
      signinFreeFailuresPerAddress: 30,
      signinFreeFailuresPerKey: 100,
      signinBaseDelaySeconds: 1,
      signinMaxDelaySeconds: 900,
      signinFailureWindowSeconds: 3600,
      authFailureAuditFreePerAddress: 100,
    });
    expect(loadConfig({ SIGNIN_FREE_FAILURES_PER_KEY_ADDRESS: '3', SIGNIN_BASE_DELAY_SECONDS: '2' })).toMatchObject({
      signinFreeFailuresPerKeyAddress: 3,
      signinBaseDelaySeconds: 2,
    });
    expect(() => loadConfig({ SIGNIN_FREE_FAILURES_PER_KEY_ADDRESS: '0' })).toThrow(/SIGNIN_FREE_FAILURES_PER_KEY_ADDRESS/);
    expect(() => loadConfig({ SIGNIN_BASE_DELAY_SECONDS: '60', SIGNIN_MAX_DELAY_SECONDS: '30' })).toThrow(
      /SIGNIN_MAX_DELAY_SECONDS must be at least SIGNIN_BASE_DELAY_SECONDS/,
    );
    expect(() => loadConfig({ SIGNIN_FAILURE_WINDOW_SECONDS: '5' })).toThrow(/SIGNIN_FAILURE_WINDOW_SECONDS/);
  });

  it('bounds the Lake query byte and scheduling limits', () => {
    expect(loadConfig({})).toMatchObject({
      lakeQueryMaxRowBytes: 4 * 2 ** 20,
      lakeQueryBatchBytes: 8 * 2 ** 20,
      lakeQueryBufferBytes: 64 * 2 ** 20,
      lakeQueryMaxRunningPerAccount: 2,
      lakeQuerySweepSeconds: 5,
    });
    // A row must fit the process-wide buffer twice over, or one runner could hold all of it.
    expect(() => loadConfig({ LAKE_QUERY_BUFFER_BYTES: String(2 ** 20), LAKE_QUERY_MAX_ROW_BYTES: String(2 ** 20) })).toThrow(
      /LAKE_QUERY_BUFFER_BYTES must be at least twice/,
    );
    expect(() => loadConfig({ LAKE_QUERY_MAX_RUNNING_PER_ACCOUNT: '11' })).toThrow(/LAKE_QUERY_MAX_RUNNING_PER_ACCOUNT/);
  });

  it('reads and checks the request limits', () => {
    expect(loadConfig({})).toMatchObject({
      graphqlMaxRootFields: 20,
      graphqlMaxAliases: 30,
      graphqlMaxDirectives: 50,
      graphqlMaxTokens: 10_000,
      accountRateLimitPerSecond: 200,
      accountRateBurst: 2000,
      accountMaxConcurrentRequests: 8,
      accountContentionCpuPercent: 50,
    });
    expect(loadConfig({ ACCOUNT_CONTENTION_CPU_PERCENT: 'off' }).accountContentionCpuPercent).toBeNull();
    expect(loadConfig({ ACCOUNT_CONTENTION_CPU_PERCENT: '0' }).accountContentionCpuPercent).toBe(0);
    expect(() => loadConfig({ ACCOUNT_CONTENTION_CPU_PERCENT: '101' })).toThrow(
      /ACCOUNT_CONTENTION_CPU_PERCENT must be a whole number from 0 to 100, or off/,
    );
    expect(loadConfig({ ACCOUNT_RATE_LIMIT_PER_SECOND: '5', GRAPHQL_MAX_ROOT_FIELDS: '3' })).toMatchObject({
      accountRateLimitPerSecond: 5,
      graphqlMaxRootFields: 3,
    });
    expect(() => loadConfig({ ACCOUNT_RATE_LIMIT_PER_SECOND: '0' })).toThrow(/ACCOUNT_RATE_LIMIT_PER_SECOND must be a whole number from 1/);
    expect(() => loadConfig({ ACCOUNT_MAX_CONCURRENT_REQUESTS: 'many' })).toThrow(/ACCOUNT_MAX_CONCURRENT_REQUESTS/);
    expect(() => loadConfig({ GRAPHQL_MAX_ROOT_FIELDS: '0' })).toThrow(/GRAPHQL_MAX_ROOT_FIELDS/);
  });
});
