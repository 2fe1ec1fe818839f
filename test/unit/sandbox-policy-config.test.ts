import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/app-config.js';
import { readSandboxPolicies } from '../../shared/config/sandbox-policy-config.js';
import { DEFAULT_POLICIES } from '../../shared/domain/sandbox-policy.js';

describe('Function: readSandboxPolicies', () => {
  it('keeps the defaults when SANDBOX_POLICY is unset or blank', () => {
    expect(readSandboxPolicies({})).toEqual({});
    expect(readSandboxPolicies({ SANDBOX_POLICY: '  ' })).toEqual({});
  });

  it('replaces only the named lists of the named kind', () => {
    const policies = readSandboxPolicies({
      SANDBOX_POLICY: JSON.stringify({ fix: { blockedImports: ['socket'], allowedPaths: ['/data'] } }),
    });
    expect(Object.keys(policies)).toEqual(['fix']);
    expect(policies.fix?.blockedImports).toEqual(['socket']);
    expect(policies.fix?.allowedPaths).toEqual(['/data']);
    expect(policies.fix?.blockedCalls).toEqual(DEFAULT_POLICIES.fix.blockedCalls);
    expect(policies.fix?.kind).toBe('fix');
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['{"fix": {"blockedImports": "socket"}}', /SANDBOX_POLICY\.fix\.blockedImports/],
    ['{"fix": {"unknownList": []}}', /SANDBOX_POLICY\.fix/],
    ['{"deploy": {}}', /SANDBOX_POLICY/],
  ])('refuses %s with a ConfigError naming the place', (text, message) => {
    expect(() => readSandboxPolicies({ SANDBOX_POLICY: text })).toThrow(ConfigError);
    expect(() => readSandboxPolicies({ SANDBOX_POLICY: text })).toThrow(message);
  });
});
