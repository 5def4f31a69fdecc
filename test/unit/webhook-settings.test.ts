import { loadConfig } from '../../src/config';

describe('webhook settings', () => {
  it("defaults: nothing internal opened, and EventBridge's retry budget (185 attempts, 24 h)", () => {
    const config = loadConfig({});
    expect(config.webhookAllowedHosts).toEqual([]);
    expect(config.webhookMaxAttempts).toBe(185);
    expect(config.webhookMaxEventAgeSeconds).toBe(86_400);
    expect(config.webhookBackoffMs).toBe(1000);
    expect(config.webhookMaxBackoffMs).toBe(600_000);
  });

  it('reads the budget and the allow-list', () => {
    const config = loadConfig({
      WEBHOOK_MAX_ATTEMPTS: '10',
      WEBHOOK_MAX_EVENT_AGE_SECONDS: '3600',
      WEBHOOK_BACKOFF_MS: '500',
      WEBHOOK_MAX_BACKOFF_MS: '60000',
      WEBHOOK_ALLOWED_HOSTS: '*, 10.20.0.0/16, ::1',
    });
    expect(config).toMatchObject({
      webhookMaxAttempts: 10,
      webhookMaxEventAgeSeconds: 3600,
      webhookBackoffMs: 500,
      webhookMaxBackoffMs: 60_000,
    });
    expect(config.webhookAllowedHosts).toEqual(['*', '10.20.0.0/16', '::1']);
  });

  it('refuses settings outside their range, naming each', () => {
    expect(() => loadConfig({ WEBHOOK_MAX_ATTEMPTS: '186' })).toThrow('WEBHOOK_MAX_ATTEMPTS');
    expect(() => loadConfig({ WEBHOOK_MAX_EVENT_AGE_SECONDS: '86401' })).toThrow('WEBHOOK_MAX_EVENT_AGE_SECONDS');
    expect(() => loadConfig({ WEBHOOK_BACKOFF_MS: '5000', WEBHOOK_MAX_BACKOFF_MS: '1000' })).toThrow(
      'WEBHOOK_MAX_BACKOFF_MS must be at least WEBHOOK_BACKOFF_MS',
    );
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/33' })).toThrow('WEBHOOK_ALLOWED_HOSTS');
  });
});
