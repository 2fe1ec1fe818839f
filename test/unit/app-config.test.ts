import { describe, expect, it } from 'vitest';
import { ConfigError, readAppConfig, readSandboxConfig, required } from '../../shared/config/app-config.js';

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
    [{ ...base, SANDBOX_BROWSER_TIMEOUT_MS: '10' }, /SANDBOX_BROWSER_TIMEOUT_MS/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => readAppConfig(env)).toThrow(ConfigError);
    expect(() => readAppConfig(env)).toThrow(message);
  });
});

describe('Function: readSandboxConfig', () => {
  it('gives a site job its own wall clock and names the Chromium it drives', () => {
    const defaults = readSandboxConfig({});
    expect(defaults.SANDBOX_TIMEOUT_MS).toBe(10_000);
    expect(defaults.SANDBOX_BROWSER_TIMEOUT_MS).toBe(30_000);
    expect(defaults.SANDBOX_CHROMIUM).toBe('/usr/bin/chromium');
    const set = readSandboxConfig({
      SANDBOX_BROWSER_TIMEOUT_MS: '12000',
      SANDBOX_CHROMIUM: ' /opt/chromium/chromium ',
    });
    expect(set.SANDBOX_BROWSER_TIMEOUT_MS).toBe(12_000);
    expect(set.SANDBOX_CHROMIUM).toBe('/opt/chromium/chromium');
    expect(readSandboxConfig({ SANDBOX_CHROMIUM: '' }).SANDBOX_CHROMIUM).toBe('/usr/bin/chromium');
  });
});

describe('Function: required', () => {
  it('returns a setting a function needs, or says which one is missing', () => {
    const config = readAppConfig({ ...base, WS_CALLBACK_URL: 'https://api/prod' });
    expect(required(config, 'WS_CALLBACK_URL')).toBe('https://api/prod');
    expect(() => required(config, 'STATE_MACHINE_ARN')).toThrow(/STATE_MACHINE_ARN is required/);
  });
});
