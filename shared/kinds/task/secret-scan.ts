import { lintSource } from '@secretlint/core';
import { rules as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import { SecretFoundError } from './secret-found-error.js';
import type { SiteFile } from './site.js';

/** A key this deployment holds (a model key, the task secret, the GitHub token), by name. */
export interface DeploymentKey {
  name: string;
  value: string;
}

export interface SecretFinding {
  path: string;
  /** The secretlint rule that matched, or `deployment key <name>`. */
  rule: string;
  line: number;
}

/**
 * The recommended preset's rules, registered one by one rather than through the preset: a preset's
 * per-rule `disabled` is not honoured (secretlint 11), and its comment filter must go — it lets a
 * `secretlint-disable` comment in the scanned file silence a finding, and a site is model-written.
 * AWS access key IDs are scanned too (the rule leaves them out by default).
 */
const config = {
  rules: recommendedRules
    .filter((rule) => rule.meta.id !== '@secretlint/secretlint-rule-filter-comments')
    .map((rule) => ({
      id: rule.meta.id,
      rule,
      options: rule.meta.id === '@secretlint/secretlint-rule-aws' ? { enableIDScanRule: true } : {},
    })),
};

/** Every secret-looking string in the files: secretlint's recommended rules plus the deployment's keys. */
export async function scanForSecrets(
  files: readonly SiteFile[],
  keys: readonly DeploymentKey[],
): Promise<SecretFinding[]> {
  const findings: SecretFinding[] = [];
  for (const file of files) {
    // Every file as text, binaries too: a token inside a data file is just as leaked.
    const content = file.content.toString('utf8');
    const result = await lintSource({
      source: { filePath: file.path, content, ext: extensionOf(file.path), contentType: 'text' },
      // Masked, so no message secretlint builds can ever carry a value into a log.
      options: { config, maskSecrets: true, noPhysicFilePath: true },
    });
    for (const message of result.messages) {
      findings.push({ path: file.path, rule: message.ruleId, line: message.loc.start.line });
    }
    for (const key of keys) {
      if (key.value.trim().length === 0) continue;
      const at = file.content.indexOf(key.value);
      if (at >= 0)
        findings.push({
          path: file.path,
          rule: `deployment key ${key.name}`,
          line: lineAt(file.content, at),
        });
    }
  }
  return findings;
}

/** Refuses a site that holds a secret: a SecretFoundError naming each file and rule. */
export async function assertNoSecrets(
  files: readonly SiteFile[],
  keys: readonly DeploymentKey[],
): Promise<void> {
  const findings = await scanForSecrets(files, keys);
  if (findings.length > 0) throw new SecretFoundError(findings);
}

function extensionOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? path.slice(dot) : '';
}

function lineAt(content: Buffer, offset: number): number {
  let line = 1;
  for (let index = content.indexOf(10); index >= 0 && index < offset; index = content.indexOf(10, index + 1))
    line++;
  return line;
}
