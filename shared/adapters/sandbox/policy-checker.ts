import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SandboxPolicy } from '../../domain/sandbox-policy.js';
import { policyArgs } from './policy-args.js';

const CHECKER = fileURLToPath(new URL('./python/te_sandbox_policy.py', import.meta.url));

export type PolicyCheckResult =
  | { ok: true; allowed?: string[] }
  | { ok: false; rule: string; line: number; detail: string };

/**
 * Checks sources against a policy with the same Python code the sandbox runs before every run,
 * in one interpreter start for the whole batch. For tools and tests; runs use the boot script.
 */
export async function checkPolicy(
  python: string,
  sources: readonly string[],
  policy: SandboxPolicy,
  options: { original?: string } = {},
): Promise<PolicyCheckResult[]> {
  const all = options.original !== undefined ? [options.original, ...sources] : [...sources];
  for (const source of all) {
    if (source.includes('\0')) throw new Error('a source to check contains a NUL byte');
  }
  const args = Object.entries(policyArgs(policy)).map(([k, v]) => `${k}=${v}`);
  if (options.original !== undefined) args.push('original=1');
  const child = spawn(python, ['-S', CHECKER, ...args], {
    env: { LANG: 'C.UTF-8' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  child.stdin.end(all.join('\0'));
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  if (code !== 0) throw new Error(`policy checker exited with ${code}: ${err.slice(0, 500)}`);
  const lines = out.split('\n').slice(0, sources.length);
  return lines.map((line) => {
    if (line === 'ok') return { ok: true };
    if (line.startsWith('ok\t')) return { ok: true, allowed: line.split('\t').slice(1) };
    const [rule = '?', lineNo = '0', ...detail] = line.split('\t');
    return { ok: false, rule, line: Number(lineNo), detail: detail.join(' ') };
  });
}
