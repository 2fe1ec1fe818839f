import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
/** The demo's own hard timeout is 5 minutes; the test waits a little longer to see it say so. */
const DEMO_TIMEOUT_MS = 6 * 60 * 1000;

/** Runs `npm run demo:task`'s entry as its own process, with no model key, to its exit. */
function runDemo(): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['GEMINI_API_KEY', 'GROQ_API_KEY', 'DEEPSEEK_API_KEY']) delete env[key];
  const child = spawn(TSX, ['infra/local/demo-task.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += String(chunk);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), DEMO_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe('npm run demo:task', () => {
  it(
    'delivers the bundled task offline: published, served, reported to the evaluator, and says so',
    async () => {
      const { code, output } = await runDemo();
      expect(code, output).toBe(0);

      const sha = /commit_sha ([0-9a-f]{40})\n/.exec(output)?.[1];
      const pagesUrl = /pages_url {2}(http:\/\/127\.0\.0\.1:\d+\/pages\/local\/sales-total\/)\n/.exec(
        output,
      )?.[1];
      const repo = /repo {7}(\S+\/pages\/local\/sales-total) /.exec(output)?.[1];
      expect(sha, output).toBeDefined();
      expect(pagesUrl, output).toBeDefined();
      expect(repo, output).toBeDefined();
      // The evaluator's receipt: accepted, naming the same commit and pages URL the round reports.
      const receipt =
        /evaluator received:\n {2}1\. \S+ application\/json → 200 accepted\n {5}(\{.*\})\n/.exec(output);
      expect(receipt?.[1], output).toBeDefined();
      expect(JSON.parse(receipt?.[1] ?? '{}')).toMatchObject({
        email: 'demo@example.com',
        task: 'sales-total',
        round: 1,
        commit_sha: sha,
        pages_url: pagesUrl,
      });
      expect(output).not.toMatch(/evaluator received:\n(.*\n){2} {2}2\./);
      // Each of the demo's own checks held, the git one naming the commit.
      expect(output).toContain(`✓ git -C ${repo} rev-parse HEAD is ${sha}`);
      expect(output).toContain(`✓ GET ${pagesUrl} answers 200 with the winner's index.html`);
      expect(output).not.toMatch(/^ {2}✗ (the evaluator|it names|its commit|git|GET)/m);
      // Offline, the checks the honest site cannot meet are named, one failed and one unverified.
      expect(output).toMatch(/checks it could not satisfy \(2\):\n {2}✗ js: .*#total.*\n {2}\? The total/);
      expect(output).toContain(
        'demo-task: the site was published, proven live and reported to the evaluator',
      );
      // The throwaway data dir, where the repository lived, is gone.
      expect(existsSync((repo as string).replace(/\/pages\/local\/sales-total$/, ''))).toBe(false);
    },
    DEMO_TIMEOUT_MS + 10_000,
  );
});
