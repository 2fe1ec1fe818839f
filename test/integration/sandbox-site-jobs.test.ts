import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionProcess } from '../../infra/local/function-process.js';
import { runResultSchema } from '../../shared/domain/sandbox-job.js';
import type { RunResult } from '../../shared/domain/types.js';
import { encodeSiteBundle, type SiteFile } from '../../shared/kinds/task/site.js';

/*
 * The sandbox function in a process of its own, as the local stack runs it (function-process.ts):
 * site jobs in real Chromium beside a fix job in real Python, the site bundles handed over inline
 * and by URL from a loopback server.
 */
// Long enough for an honest page on a busy two-core host, short enough to keep the loop's wait modest.
const BROWSER_TIMEOUT_MS = 8000;
let sandbox: FunctionProcess;
let server: Server;
let baseUrl = '';
const served = new Map<string, string>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = served.get(request.url ?? '');
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // The child takes this process's environment, as the local stack's sandbox process does.
  process.env.SANDBOX_BROWSER_TIMEOUT_MS = String(BROWSER_TIMEOUT_MS);
  sandbox = await FunctionProcess.start(['sandbox']);
});

afterAll(async () => {
  await sandbox?.close();
  server?.close();
});

const file = (path: string, content: string): SiteFile => ({ path, content: Buffer.from(content) });

const CHECKS = [
  { id: 'title', js: 'document.title === "Sales Summary"' },
  { id: 'total', js: "document.querySelector('#total').textContent === '1234'" },
  { id: 'license', js: "fetch('LICENSE').then((r) => r.text()).then((t) => t.includes('MIT License'))" },
];

const honest = [
  file(
    'index.html',
    `<!DOCTYPE html><html><head><title>Sales Summary</title>
<script>addEventListener('DOMContentLoaded', () => { document.querySelector('#total').textContent = String(1234); });</script>
</head><body><p id="total"></p></body></html>`,
  ),
  file('LICENSE', 'MIT License\n\nCopyright (c) 2025 Someone\n'),
];
/** What graders catch: a title with a suffix, a number with a thousands separator. */
const suffixed = [
  file(
    'index.html',
    `<!DOCTYPE html><title>Sales Summary - My App</title><p id="total"></p>
<script>document.querySelector('#total').textContent = (1234).toLocaleString('en-US');</script>`,
  ),
  file('LICENSE', 'MIT License\n'),
];
const endlessLoop = [file('index.html', '<title>Sales Summary</title><script>while (true) {}</script>')];

function siteJob(index: number, site: { text: string } | { url: string; bytes: number }) {
  return {
    item: { sessionId: 'task-it', round: 1, index, role: 'candidate', source: 'test', site },
    run: { kind: 'site', checks: CHECKS },
  };
}

function byUrl(name: string, files: SiteFile[]) {
  const text = encodeSiteBundle(files);
  served.set(`/${name}`, text);
  return { url: `${baseUrl}/${name}`, bytes: Buffer.byteLength(text) };
}

const run = async (payload: unknown) => {
  const started = performance.now();
  const result = (await sandbox.invoke('sandbox', payload)) as RunResult;
  return { result, wallMs: performance.now() - started };
};

describe('Function: the sandbox handler — site jobs', () => {
  it('checks sites handed inline and by URL, stops an endless loop, and runs a fix job beside them', async () => {
    // Prepare
    const fix = {
      item: {
        sessionId: 'fix-it',
        round: 1,
        index: 1,
        role: 'candidate',
        code: { text: 'print(sum([1, 2]))\n' },
      },
      run: {
        filename: 'program.py',
        harness: { kind: 'runs' },
        original: { text: 'print(sum([1, 2]) / 0)\n' },
      },
    };
    // Act: one round's worth of items at once, as the task state machine's Map sends them.
    const [good, bad, loop, python] = await Promise.all([
      run(siteJob(1, { text: encodeSiteBundle(honest) })),
      run(siteJob(2, byUrl('suffixed.json', suffixed))),
      run(siteJob(3, byUrl('loop.json', endlessLoop))),
      run(fix),
    ]);
    // Assess
    for (const { result } of [good, bad, loop, python])
      expect(runResultSchema.safeParse(result).success).toBe(true);

    expect(good.result.status, good.result.reason).toBe('passed');
    expect(good.result.site?.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed']);
    expect(good.result.site?.bytes).toBe(honest.reduce((n, f) => n + f.content.length, 0));
    expect(good.result).toMatchObject({ exitCode: null, stdout: '' });
    expect(good.result.containment?.layers).toContain('wall-clock-kill');

    expect(bad.result.status).toBe('failed');
    expect(bad.result.reason).toBe('1 of 3 checks passed');
    expect(bad.result.site?.checks.find((c) => c.id === 'title')?.status).toBe('failed');
    expect(bad.result.site?.checks.find((c) => c.id === 'total')?.status).toBe('failed');

    // The endless loop is stopped at the site job's wall clock, not the function's.
    expect(loop.result.status).toBe('timeout');
    expect(loop.result.crashedBy).toBeUndefined();
    expect(loop.result.reason).toContain(`wall clock of ${BROWSER_TIMEOUT_MS} ms`);
    expect(loop.result.durationMs).toBeLessThan(BROWSER_TIMEOUT_MS + 3000);
    // Its invocation also paid the browser's start (the first site job of the process does).
    expect(loop.wallMs).toBeLessThan(BROWSER_TIMEOUT_MS + 12_000);
    expect(loop.result.site?.checks.every((c) => c.status === 'failed')).toBe(true);

    expect(python.result.status).toBe('passed');
    expect(python.result.stdout).toBe('3\n');
    expect(python.result.site).toBeUndefined();
  });

  it('refuses a bundle that does not arrive whole, and an invocation that mixes the two kinds', async () => {
    const whole = byUrl('honest.json', honest);
    await expect(sandbox.invoke('sandbox', siteJob(5, { ...whole, bytes: whole.bytes + 1 }))).rejects.toThrow(
      /expected/,
    );
    await expect(
      sandbox.invoke('sandbox', {
        item: siteJob(6, { text: '{"files":[]}' }).item,
        run: { filename: 'program.py', harness: { kind: 'runs' }, original: { text: '' } },
      }),
    ).rejects.toThrow();
  });
});
