import { createSocket, type Socket } from 'node:dgram';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserLevelFor, createBrowserRunner } from '../../shared/adapters/sandbox/browser/index.js';
import { InvalidSandboxJobError, SandboxUnavailableError } from '../../shared/adapters/sandbox/index.js';
import type { BrowserCheck, BrowserJob, BrowserRunner, SiteFile } from '../../shared/ports/browser-runner.js';

/*
 * Real Chromium (/usr/bin/chromium) in the real containment. Jobs that do not depend on each other
 * run side by side, as the task state machine's Map runs candidates.
 */
const workRoot = join(tmpdir(), `te-browser-test-${process.pid}`);
const isRoot = process.getuid?.() === 0;
let runner: BrowserRunner;

/** A loopback TCP server and a UDP socket on the host: the page must never reach either. */
let tcp: Server;
let tcpPort = 0;
let tcpConnections = 0;
let udp: Socket;
let udpPort = 0;
let udpPackets = 0;

beforeAll(async () => {
  tcp = createServer((socket) => {
    tcpConnections++;
    socket.destroy();
  });
  await new Promise<void>((done) => tcp.listen(0, '127.0.0.1', done));
  tcpPort = (tcp.address() as { port: number }).port;
  udp = createSocket('udp4');
  udp.on('message', () => udpPackets++);
  await new Promise<void>((done) => udp.bind(0, '127.0.0.1', done));
  udpPort = udp.address().port;
  runner = await createBrowserRunner({ workRoot });
});

afterAll(async () => {
  await runner?.close();
  tcp?.close();
  udp?.close();
  await rm(workRoot, { recursive: true, force: true });
});

function file(path: string, content: string): SiteFile {
  return { path, content: Buffer.from(content) };
}

function job(files: SiteFile[], checks: BrowserCheck[], timeoutMs = 15_000): BrowserJob {
  return { files, checks, timeoutMs };
}

/** The worked example's shape: a title, a number from data.json, the app's fetch inline in index.html. */
function site(opts: { title: string; shown: string; scriptInline: boolean }): SiteFile[] {
  const app = `fetch('data.json').then((r) => r.json()).then((d) => {
  document.querySelector('#shares').textContent = ${opts.shown === 'raw' ? 'String(d.shares)' : "d.shares.toLocaleString('en-US')"};
});`;
  const script = opts.scriptInline ? `<script>\n${app}\n</script>` : '<script src="script.js"></script>';
  const files = [
    file(
      'index.html',
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${opts.title}</title>${script}</head>
<body><h1>Shares outstanding</h1><p id="shares"></p></body></html>`,
    ),
    file('data.json', '{"shares": 25000000}'),
  ];
  if (!opts.scriptInline) files.push(file('script.js', app));
  return files;
}

const GRADER_CHECKS: BrowserCheck[] = [
  { id: 'title', js: 'document.title === "Biogen"' },
  {
    id: 'shares',
    js: "new Promise((r) => setTimeout(r, 200)).then(() => parseInt(document.querySelector('#shares').textContent, 10) === 25000000 && !document.querySelector('#shares').textContent.includes(','))",
  },
  { id: 'uses-fetch', js: "fetch('index.html').then((r) => r.text()).then((t) => t.includes('fetch('))" },
  { id: 'first-script', js: 'document.querySelector("script").textContent.includes("fetch")' },
  { id: 'data', js: "fetch('data.json').then((r) => r.json()).then((d) => d.shares === 25000000)" },
];

/** Pids whose command line names this file's work root: a Chromium of ours still alive. */
async function processesUnder(root: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(root)) found.push(pid);
  }
  return found;
}

describe('Function: createBrowserRunner', () => {
  it('reports the containment it applies and the browser it drives', () => {
    const caps = runner.capabilities();
    expect(caps.browser).toMatch(/^\/usr\/bin\/chromium \(Chromium \d+/);
    expect(caps.layers).toEqual(expect.arrayContaining(['request-interception', 'wall-clock-kill']));
    if (isRoot) {
      expect(caps.level).toBe('ns');
      expect(caps.layers).toEqual(expect.arrayContaining(['net-namespace', 'pid-namespace', 'per-run-uid']));
    } else expect(caps.level).toBe('chromium-sandbox');
  });

  it.runIf(isRoot)(
    'starts every Chromium process under the seccomp filter the Python runs get (Seccomp: 2 in /proc)',
    async () => {
      // Prepare: a check that keeps the browser alive while its processes are read.
      expect(runner.capabilities().layers).toContain('seccomp');
      const job = runner.run({
        files: [file('index.html', '<!DOCTYPE html><title>t</title>')],
        checks: [{ id: 'wait', js: 'new Promise((r) => setTimeout(() => r(true), 1500))' }],
        timeoutMs: 15_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 900));

      // Act: every process of ours still running, and its seccomp mode.
      const modes: string[] = [];
      for (const pid of await processesUnder(workRoot)) {
        const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
        const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
        if (/chrom/i.test(comm)) modes.push(/^Seccomp:\s+(\d)/m.exec(status)?.[1] ?? '?');
      }
      const result = await job;

      // Assess: Chromium's browser, renderer and helpers all run filtered (mode 2).
      expect(result.checks[0]?.status).toBe('passed');
      expect(modes.length).toBeGreaterThanOrEqual(2);
      expect(new Set(modes)).toEqual(new Set(['2']));
    },
  );

  it.runIf(isRoot)(
    'refuses to run as root when the containment cannot be applied (no --no-sandbox without it)',
    async () => {
      // Prepare / Act
      const attempt = createBrowserRunner({ workRoot, tools: { unshare: '/nonexistent/unshare' } });
      // Assess
      await expect(attempt).rejects.toThrow(SandboxUnavailableError);
      await expect(attempt).rejects.toThrow(/unshare not found/);
    },
  );

  it.runIf(isRoot)(
    'refuses to be forced to the process level as root (its Chromium would run as root, unsandboxed)',
    async () => {
      const attempt = createBrowserRunner({ workRoot, level: 'process' });
      await expect(attempt).rejects.toThrow(SandboxUnavailableError);
      await expect(attempt).rejects.toThrow(/process level is not for root/);
    },
  );

  it("follows the sandbox's SANDBOX_LEVEL where the browser has the same level", () => {
    expect(browserLevelFor('process')).toBe('process');
    expect(browserLevelFor('ns')).toBe('ns');
    expect(browserLevelFor('userns')).toBe('chromium-sandbox');
    expect(browserLevelFor('uid')).toBeUndefined();
    expect(browserLevelFor(undefined)).toBeUndefined();
  });

  it('refuses a job it cannot serve as given', async () => {
    await expect(runner.run(job([file('../etc/passwd', 'x')], []))).rejects.toThrow(InvalidSandboxJobError);
    await expect(runner.run(job([file('a.html', 'x'), file('a.html', 'y')], []))).rejects.toThrow(
      /given twice/,
    );
    await expect(runner.run({ ...job([], []), timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });
});

describe('Method: run — checks as graders ran them', () => {
  it('passes the honest site and fails each way graders caught real submissions', async () => {
    // Prepare
    const honest = site({ title: 'Biogen', shown: 'raw', scriptInline: true });
    const suffixed = site({ title: 'Biogen — ShareVolume', shown: 'raw', scriptInline: true });
    const separated = site({ title: 'Biogen', shown: 'locale', scriptInline: true });
    const moved = site({ title: 'Biogen', shown: 'raw', scriptInline: false });
    // Act
    const [a, b, c, d] = await Promise.all(
      [honest, suffixed, separated, moved].map((files) => runner.run(job(files, GRADER_CHECKS))),
    );
    // Assess
    const statuses = (r: typeof a) => Object.fromEntries(r?.checks.map((x) => [x.id, x.status]) ?? []);
    expect(a?.status).toBe('ran');
    expect(statuses(a)).toEqual({
      title: 'passed',
      shares: 'passed',
      'uses-fetch': 'passed',
      'first-script': 'passed',
      data: 'passed',
    });
    expect(a).toMatchObject({ consoleErrors: [], pageErrors: [], failedRequests: [], refusedRequests: [] });
    expect(statuses(b)).toMatchObject({ title: 'failed', shares: 'passed' });
    expect(b?.checks[0]?.value).toBe('false');
    expect(statuses(c)).toMatchObject({ title: 'passed', shares: 'failed' });
    expect(statuses(d)).toMatchObject({ title: 'passed', shares: 'passed', 'uses-fetch': 'failed' });
    expect(statuses(d)['first-script']).toBe('failed'); // its only <script> is `src=`: no text
  });

  it('reads the FIRST <script> element, as a browser does: a CDN script before the inline one fails', async () => {
    const page = (cdnFirst: boolean) => {
      const cdn = '<script src="https://cdn.jsdelivr.net/npm/marked/lib/marked.umd.js"></script>';
      const inline = "<script>fetch('data.json')</script>";
      return [
        file('index.html', `<title>t</title>${cdnFirst ? cdn + inline : inline + cdn}`),
        file('data.json', '{}'),
      ];
    };
    const check = { id: 'first', js: 'document.querySelector("script").textContent.includes("fetch")' };
    const [before, after] = await Promise.all([
      runner.run(job(page(true), [check])),
      runner.run(job(page(false), [check])),
    ]);
    expect(before.checks[0]).toMatchObject({ status: 'failed', value: 'false' });
    expect(after.checks[0]).toMatchObject({ status: 'passed', value: 'true' });
  });

  it('passes only an exact true, awaits async checks, and reports a throwing check as an error', async () => {
    const result = await runner.run(
      job(
        [file('index.html', '<title>t</title><p>x</p>')],
        [
          { id: 'true', js: 'true' },
          { id: 'truthy', js: '1' },
          { id: 'string', js: '"true"' },
          { id: 'async', js: 'new Promise((r) => setTimeout(() => r(true), 50))' },
          { id: 'throws', js: 'document.querySelector("#none").textContent' },
          { id: 'rejects', js: 'Promise.reject(new Error("nope"))' },
          { id: 'syntax', js: 'document.title ===' },
          { id: 'long', js: '"y".repeat(2000)' },
          { id: 'semicolon', js: 'document.title === "t";' },
        ],
      ),
    );
    const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
    expect(byId.true).toMatchObject({ status: 'passed', value: 'true' });
    expect(byId.truthy).toMatchObject({ status: 'failed', value: '1' });
    expect(byId.string).toMatchObject({ status: 'failed', value: '"true"' });
    expect(byId.async?.status).toBe('passed');
    expect(byId.throws?.status).toBe('error');
    expect(byId.throws?.error).toMatch(/TypeError: Cannot read properties of null/);
    expect(byId.rejects).toMatchObject({ status: 'error' });
    expect(byId.rejects?.error).toContain('nope');
    expect(byId.syntax?.status).toBe('error');
    expect(byId.long?.value?.length).toBe(500);
    expect(byId.semicolon?.status).toBe('passed');
    expect(result.checks.map((c) => c.id)).toEqual([
      'true',
      'truthy',
      'string',
      'async',
      'throws',
      'rejects',
      'syntax',
      'long',
      'semicolon',
    ]);
  });

  it('records console errors, uncaught exceptions and same-origin files the site lacks', async () => {
    const result = await runner.run(
      job(
        [
          file(
            'index.html',
            `<title>t</title><link rel="stylesheet" href="css/missing.css"><script src="missing.js"></script>
<script>Promise.reject(new Error('unawaited'));</script>
<script>console.error('bad thing'); console.log('fine'); throw new Error('kaput');</script>`,
          ),
          file('docs/index.html', '<title>docs</title>'),
        ],
        [
          {
            id: 'dir-index',
            js: "fetch('docs/').then((r) => r.text()).then((t) => t.includes('<title>docs'))",
          },
          { id: 'dir-no-slash', js: "fetch('docs').then((r) => r.status === 200)" },
          { id: 'json-type', js: "fetch('index.html').then((r) => r.headers.get('content-type'))" },
        ],
      ),
    );
    expect(result.status).toBe('ran');
    expect(result.failedRequests).toEqual(expect.arrayContaining(['/css/missing.css', '/missing.js']));
    expect(result.failedRequests).toHaveLength(2);
    expect(result.consoleErrors).toContain('bad thing');
    expect(result.consoleErrors.some((e) => e.includes('404'))).toBe(true);
    expect(result.consoleErrors).not.toContain('fine');
    expect(result.pageErrors).toEqual(expect.arrayContaining(['kaput', 'unawaited']));
    expect(result.pageErrors).toHaveLength(2);
    expect(result.checks[0]?.status).toBe('passed');
    expect(result.checks[1]?.status).toBe('passed');
    expect(result.checks[2]?.value).toBe('"text/html; charset=utf-8"');
  });
});

describe('Method: run — what the page may reach', () => {
  it('serves bootstrap, marked and highlight.js offline under their CDN URLs, recording version mismatches', async () => {
    const html = `<!DOCTYPE html><html><head><title>t</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/css/bootstrap.min.css">
<link rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/styles/github.min.css">
<script src="https://cdn.jsdelivr.net/npm/bootstrap@5.3.2/dist/js/bootstrap.bundle.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/marked/marked.min.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/highlight.min.js"></script>
<script src="https://unpkg.com/@highlightjs/cdn-assets@11.12.0/languages/python.min.js"></script>
</head><body><div id="hidden" class="d-none">x</div><div id="out"></div>
<script>document.getElementById('out').innerHTML = marked.parse('# Hello');</script></body></html>`;
    const result = await runner.run(
      job(
        [file('index.html', html)],
        [
          { id: 'marked', js: "typeof marked !== 'undefined'" },
          { id: 'rendered', js: "document.querySelector('#out h1')?.textContent === 'Hello'" },
          {
            id: 'bootstrap-js',
            js: "typeof bootstrap !== 'undefined' && typeof bootstrap.Modal === 'function'",
          },
          {
            id: 'bootstrap-css',
            js: "getComputedStyle(document.getElementById('hidden')).display === 'none'",
          },
          { id: 'hljs', js: "typeof hljs !== 'undefined' && hljs.getLanguage('python') !== undefined" },
          {
            id: 'hljs-highlights',
            js: "hljs.highlight('def f(): pass', { language: 'python' }).value.includes('hljs-keyword')",
          },
        ],
      ),
    );
    expect(result.refusedRequests).toEqual([]);
    expect(result.failedRequests).toEqual([]);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['marked', 'passed'],
      ['rendered', 'passed'],
      ['bootstrap-js', 'passed'],
      ['bootstrap-css', 'passed'],
      ['hljs', 'passed'],
      ['hljs-highlights', 'passed'],
    ]);
    expect(result.cdnSubstitutions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /bootstrap@5\.3\.2\/dist\/css\/bootstrap\.min\.css served from bootstrap@5\.3\.9/,
        ),
        expect.stringMatching(
          /highlight\.js@11\.9\.0\/highlight\.min\.js served from @highlightjs\/cdn-assets@11\.12\.0/,
        ),
        expect.stringMatching(
          /marked@latest\/marked\.min\.js served from marked@[\d.]+\/lib\/marked\.umd\.js/,
        ),
      ]),
    );
    expect(result.cdnSubstitutions.join('\n')).not.toContain('languages/python'); // exact version: no note
  });

  it('refuses every other request, lists its host, and no request reaches a loopback server', async () => {
    const before = tcpConnections;
    const result = await runner.run(
      job(
        [
          file('sw.js', 'self.addEventListener("fetch", () => {});'),
          file(
            'index.html',
            `<title>t</title><script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<script src="https://cdn.jsdelivr.net/npm/left-pad@1.3.0/index.js"></script>
<img src="http://127.0.0.1:${tcpPort}/pixel.png"><link rel="preconnect" href="http://127.0.0.1:${tcpPort}">`,
          ),
        ],
        [
          {
            id: 'fetch-loopback',
            js: `fetch('http://127.0.0.1:${tcpPort}/').then(() => 'reached', (e) => 'refused: ' + e.message)`,
          },
          {
            id: 'websocket-loopback',
            js: `new Promise((r) => { const w = new WebSocket('ws://127.0.0.1:${tcpPort}/'); w.onopen = () => r('open'); w.onclose = () => r('closed'); setTimeout(() => r('pending'), 1000); })`,
          },
          {
            id: 'service-worker',
            js: "Promise.race([navigator.serviceWorker.register('sw.js').then(() => 'registered', () => 'refused'), new Promise((r) => setTimeout(() => r('pending'), 1000))])",
          },
        ],
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(tcpConnections - before).toBe(0);
    expect(result.refusedRequests).toEqual(
      expect.arrayContaining([
        'external request not verifiable offline: code.jquery.com',
        'external request not verifiable offline: cdn.jsdelivr.net',
        `external request not verifiable offline: 127.0.0.1:${tcpPort}`,
      ]),
    );
    expect(result.checks[0]?.value).toBe('"refused: Failed to fetch"');
    expect(result.checks[1]?.value).toBe('"closed"');
    expect(result.checks[2]?.value).toBe('"refused"');
  });

  it.runIf(isRoot)(
    "has no network of its own: WebRTC, which request interception cannot see, does not reach the host's loopback",
    async () => {
      // Prepare: a STUN server address on the host. Only the network namespace stands between them.
      const before = udpPackets;
      const stun = `new Promise(async (done) => {
  const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${udpPort}' }] });
  pc.createDataChannel('x');
  await pc.setLocalDescription(await pc.createOffer());
  setTimeout(() => done(pc.localDescription !== null), 1500);
})`;
      // Act
      const result = await runner.run(
        job(
          [file('index.html', '<title>t</title>')],
          [
            { id: 'stun', js: stun },
            { id: 'fetch', js: `fetch('http://127.0.0.1:${tcpPort}/').then(() => false, () => true)` },
          ],
        ),
      );
      await new Promise((r) => setTimeout(r, 300));
      // Assess: the offer was made (WebRTC ran), and the host saw nothing.
      expect(result.checks[0]).toMatchObject({ status: 'passed' });
      expect(udpPackets - before).toBe(0);
      expect(result.checks[1]).toMatchObject({ status: 'passed' });
    },
  );
});

describe('Method: run — hostile pages', () => {
  it('stops an endless loop and a memory bomb quickly, while a good job beside them passes', async () => {
    // Prepare
    const loop = job(
      [file('index.html', '<title>t</title><script>while (true) {}</script>')],
      GRADER_CHECKS,
      4000,
    );
    const bomb = job(
      [
        file(
          'index.html',
          '<title>t</title><script>const a = []; for (;;) a.push(new Array(1e6).fill(Math.random()));</script>',
        ),
      ],
      GRADER_CHECKS,
      30_000,
    );
    const good = job(site({ title: 'Biogen', shown: 'raw', scriptInline: true }), GRADER_CHECKS);
    // Act
    const started = performance.now();
    const timed = async (j: BrowserJob) => {
      const result = await runner.run(j);
      return { result, wallMs: performance.now() - started };
    };
    const [l, b, g] = await Promise.all([timed(loop), timed(bomb), timed(good)]);
    // Assess
    expect(l.result.status).toBe('timeout');
    expect(l.result.reason).toContain('wall clock of 4000 ms');
    expect(l.wallMs).toBeLessThan(4000 + 4000); // the host is shared: allow a slow start and cleanup
    expect(l.result.checks.every((c) => c.status === 'failed')).toBe(true);
    // Stopped by the memory limits (V8's heap cap, RLIMIT_DATA), long before its own 30 s clock.
    expect(b.result.status).toBe('crashed');
    expect(b.result.crashedBy).toBe('program');
    expect(b.wallMs).toBeLessThan(12_000);
    expect(b.result.checks.every((c) => c.status === 'failed')).toBe(true);
    expect(g.result.status).toBe('ran');
    expect(g.result.crashedBy).toBeUndefined();
    expect(l.result.crashedBy).toBeUndefined();
    expect(g.result.checks.every((c) => c.status === 'passed')).toBe(true);
    // Nothing of theirs is left: no process, no job dir.
    expect(await processesUnder(workRoot)).toEqual([]);
    expect((await readdir(workRoot)).filter((d) => d.startsWith('job-'))).toEqual([]);
  });

  it('stops a check that never settles at the wall clock and keeps the outcomes already known', async () => {
    const result = await runner.run(
      job(
        [file('index.html', '<title>t</title>')],
        [
          { id: 'first', js: 'document.title === "t"' },
          { id: 'hangs', js: 'new Promise(() => {})' },
          { id: 'after', js: 'true' },
        ],
        8000,
      ),
    );
    expect(result.status).toBe('timeout');
    expect(result.checks.map((c) => c.status)).toEqual(['passed', 'failed', 'failed']);
    expect(result.checks[2]?.error).toMatch(/not run: the job passed its wall clock/);
  });

  it('fails every check of a site with no index page, and says what was missing', async () => {
    const result = await runner.run(
      job(
        [],
        [
          { id: 'title', js: 'document.title === "Biogen"' },
          { id: 'not-found-page', js: 'document.title === "404 File not found"' },
        ],
      ),
    );
    expect(result.status).toBe('ran');
    expect(result.reason).toBeUndefined(); // the 404 page loaded as a page, not as a download
    expect(result.checks.map((c) => c.status)).toEqual(['failed', 'passed']);
    expect(result.checks[0]?.value).toBe('false');
    expect(result.failedRequests).toEqual(['/index.html']);
  });
});

describe('Method: run — a browser that cannot start', () => {
  it("counts a Chromium that does not start as the sandbox's crash, not the site's", async () => {
    // Prepare: a Chromium that starts for the runner's probe, then stops starting at all.
    const dir = await mkdtemp(join(tmpdir(), 'te-broken-chromium-'));
    const broken = join(dir, 'broken');
    const chromium = join(dir, 'chromium.sh');
    await writeFile(
      chromium,
      `#!/bin/sh\nif [ -e '${broken}' ]; then echo 'cannot start' >&2; exit 1; fi\nexec /usr/bin/chromium "$@"\n`,
    );
    await chmod(dir, 0o755);
    await chmod(chromium, 0o755);
    const brokenRoot = `${workRoot}-broken`;
    const flaky = await createBrowserRunner({ workRoot: brokenRoot, chromiumPath: chromium });
    try {
      await writeFile(broken, '');
      // Act
      const result = await flaky.run(
        job([file('index.html', '<title>t</title>')], [{ id: 't', js: 'true' }]),
      );
      // Assess
      expect(result.status).toBe('crashed');
      expect(result.crashedBy).toBe('sandbox');
      expect(result.checks.map((c) => c.status)).toEqual(['failed']);
    } finally {
      await flaky.close();
      await rm(dir, { recursive: true, force: true });
      await rm(brokenRoot, { recursive: true, force: true });
    }
  });
});
