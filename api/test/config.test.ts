import { ConfigError, loadConfig } from '../src/config';

describe('config', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.devLoginEnabled).toBe(false);
    expect(config.upload).toEqual({ maxFileBytes: 10 * 1024 * 1024, maxFiles: 9 });
  });

  it('rejects a bad value and names the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('refuses production without a JWT secret or with the dev login on', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: is required in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DEV_LOGIN_ENABLED: 'true' })).toThrow(/DEV_LOGIN_ENABLED/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), WECHAT_PUSH_TOKEN: 'push-token' }).jwtSecret).toBe('x'.repeat(40));
  });

  it('turns content security on in production, where image verdicts need the push token', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/WECHAT_PUSH_TOKEN/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), WECHAT_PUSH_TOKEN: 't' }).wechat.contentSecurity).toBe('wechat');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), CONTENT_SECURITY: 'off' }).wechat.contentSecurity).toBe('off');
    expect(loadConfig({}).wechat.contentSecurity).toBe('off');
    expect(() => loadConfig({ CONTENT_SECURITY: 'maybe' })).toThrow(/CONTENT_SECURITY/);
  });

  it('maps one-time templates to the case steps they are spent on, never 已收到', () => {
    expect(loadConfig({}).wechat.oneTimeSteps).toMatchObject({ file: 'caseAccepted', verify_pass: 'caseResult' });
    expect(loadConfig({}).wechat.oneTimeSteps.submit).toBeUndefined();
    const custom = loadConfig({ WECHAT_ONE_TIME_STEPS: 'caseAccepted: dispatch ; caseResult: verify_pass,void' }).wechat.oneTimeSteps;
    expect(custom).toEqual({ dispatch: 'caseAccepted', verify_pass: 'caseResult', void: 'caseResult' });
    expect(() => loadConfig({ WECHAT_ONE_TIME_STEPS: 'caseAccepted:submit' })).toThrow(/WECHAT_ONE_TIME_STEPS.*submit/);
    expect(() => loadConfig({ WECHAT_ONE_TIME_STEPS: 'caseAccepted:fly' })).toThrow(/WECHAT_ONE_TIME_STEPS/);
    expect(() => loadConfig({ WECHAT_ONE_TIME_STEPS: 'caseAccepted:file;caseResult:file' })).toThrow(/listed twice/);
    expect(() => loadConfig({ WECHAT_ONE_TIME_STEPS: 'campaign:file' })).toThrow(/unknown template purpose/);
  });

  it('parses lists and booleans', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', DEV_LOGIN_ENABLED: 'true' });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.devLoginEnabled).toBe(true);
  });
});
