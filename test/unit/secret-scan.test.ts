import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretFoundError } from '../../shared/kinds/task/secret-found-error.js';
import { assertNoSecrets, scanForSecrets } from '../../shared/kinds/task/secret-scan.js';
import type { SiteFile } from '../../shared/kinds/task/site.js';

// Secret-shaped strings are assembled at run time, so this file itself holds none.
const githubToken = `ghp_${'A1b2C3d4E5f6G7h8I9j0'}${'K1l2M3n4O5p6Q7r8'}`;
const awsAccessKeyId = `AKIA${'Z7Q4XW2M9PLK3R5T'}`;
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const deploymentKey = { name: 'GEMINI_API_KEY', value: 'deployment-key-7f3a9c1e5b' };

const file = (path: string, text: string): SiteFile => ({ path, content: Buffer.from(text) });
const clean = [
  file('index.html', '<!doctype html><title>Sales</title><script>fetch("data.csv")</script>\n'),
  file('README.md', '# Sales\n\nOpen `index.html`.\n'),
  file('data.csv', 'product,sales\nA,10\n'),
];

describe('Function: scanForSecrets', () => {
  it('finds nothing in an ordinary site', async () => {
    expect(await scanForSecrets(clean, [deploymentKey])).toEqual([]);
  });

  it('finds a GitHub token and names its file, line and rule', async () => {
    const findings = await scanForSecrets(
      [...clean, file('app.js', `// config\nconst token = "${githubToken}";\n`)],
      [],
    );
    expect(findings).toEqual([{ path: 'app.js', rule: '@secretlint/secretlint-rule-github', line: 2 }]);
  });

  it('finds an AWS access key ID', async () => {
    const findings = await scanForSecrets([file('config.json', `{"accessKeyId": "${awsAccessKeyId}"}`)], []);
    expect(findings).toEqual([{ path: 'config.json', rule: '@secretlint/secretlint-rule-aws', line: 1 }]);
  });

  it('finds a private key block', async () => {
    const findings = await scanForSecrets([file('keys/server.pem', privateKey)], []);
    expect(findings.map((finding) => finding.rule)).toContain('@secretlint/secretlint-rule-privatekey');
    expect(findings[0]?.path).toBe('keys/server.pem');
  });

  it("finds one of the deployment's own keys by its literal value, and names the key, not the value", async () => {
    const findings = await scanForSecrets(
      [file('index.html', `<p>hello</p>\n<script>const k = '${deploymentKey.value}';</script>`)],
      [deploymentKey, { name: 'UNSET', value: '' }],
    );
    expect(findings).toEqual([{ path: 'index.html', rule: 'deployment key GEMINI_API_KEY', line: 2 }]);
  });

  it('is not silenced by a secretlint-disable comment in the scanned file', async () => {
    const findings = await scanForSecrets(
      [file('app.js', `/* secretlint-disable */\nconst token = "${githubToken}";\n`)],
      [],
    );
    expect(findings.map((finding) => finding.rule)).toEqual(['@secretlint/secretlint-rule-github']);
  });

  it('scans a binary file as well', async () => {
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]), Buffer.from(githubToken)]);
    const findings = await scanForSecrets([{ path: 'logo.png', content: bytes }], []);
    expect(findings.map((finding) => finding.path)).toEqual(['logo.png']);
  });
});

describe('Function: assertNoSecrets', () => {
  it('refuses with a reason naming the file and rule, never the value', async () => {
    const files = [...clean, file('app.js', `const token = "${githubToken}";`)];
    const refusal = await assertNoSecrets(files, [deploymentKey]).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SecretFoundError);
    const message = (refusal as Error).message;
    expect(message).toContain('app.js line 1 (@secretlint/secretlint-rule-github)');
    expect(message).not.toContain(githubToken);
    expect(message).not.toContain(githubToken.slice(4, 20));
  });

  it('lets a clean site through', async () => {
    await expect(assertNoSecrets(clean, [deploymentKey])).resolves.toBeUndefined();
  });
});
