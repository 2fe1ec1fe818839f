import { describe, expect, it } from 'vitest';
import { ConfigError, readAppConfig, required } from '../../shared/config/app-config.js';

const base = { TABLE_NAME: 'table', ARTIFACT_DIR: '/tmp/artifacts' };

describe('Function: readAppConfig', () => {
  it('applies defaults and treats blank values as unset', () => {
    const config = readAppConfig({ ...base, STATE_MACHINE_ARN: '  ', SANDBOX_TIMEOUT_MS: '2500' });
    expect(config.AWS_REGION).toBe('us-east-1');
    expect(config.STATE_MACHINE_ARN).toBeUndefined();
    expect(config.SANDBOX_TIMEOUT_MS).toBe(2500);
    expect(config.SANDBOX_LEVEL).toBeUndefined();
  });

  it('takes SANDBOX_LEVEL as one of the four containment levels', () => {
    expect(readAppConfig({ ...base, SANDBOX_LEVEL: ' process ' }).SANDBOX_LEVEL).toBe('process');
    expect(readAppConfig({ ...base, SANDBOX_LEVEL: 'ns' }).SANDBOX_LEVEL).toBe('ns');
    expect(readAppConfig({ ...base, SANDBOX_LEVEL: '' }).SANDBOX_LEVEL).toBeUndefined();
  });

  it.each([
    [{ ARTIFACT_DIR: '/tmp/a' }, /TABLE_NAME/],
    [{ TABLE_NAME: 'table' }, /ARTIFACT_BUCKET \(AWS\) or ARTIFACT_DIR/],
    [{ ...base, SANDBOX_TIMEOUT_MS: 'soon' }, /SANDBOX_TIMEOUT_MS/],
    [{ ...base, SANDBOX_TIMEOUT_MS: '5' }, /SANDBOX_TIMEOUT_MS/],
    [{ ...base, SANDBOX_LEVEL: 'none' }, /SANDBOX_LEVEL/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => readAppConfig(env)).toThrow(ConfigError);
    expect(() => readAppConfig(env)).toThrow(message);
  });
});

describe('Function: required', () => {
  it('returns a setting a function needs, or says which one is missing', () => {
    const config = readAppConfig({ ...base, WS_CALLBACK_URL: 'https://api/prod' });
    expect(required(config, 'WS_CALLBACK_URL')).toBe('https://api/prod');
    expect(() => required(config, 'STATE_MACHINE_ARN')).toThrow(/STATE_MACHINE_ARN is required/);
  });
});
