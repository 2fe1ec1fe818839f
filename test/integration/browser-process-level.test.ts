import { createSocket, type Socket } from 'node:dgram';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processesOfUid } from '../../shared/adapters/sandbox/proc-scan.js';
import type { BrowserCheck, BrowserJob, SiteFile } from '../../shared/ports/browser-runner.js';
import { type BrowserProcessLevel, startBrowserProcessLevel } from '../support/browser-process-level.js';

/*
 * The browser's `process` level, the sandbox Lambda's: a runner in a Node process of its own under
 * an unprivileged uid where user namespaces cannot be made, so Chromium's own sandbox cannot start
 * and the runner has to pick `process` by itself. Hostile pages try the loopback (a TCP server, a
 * UDP "STUN server", the fake Lambda Runtime API) by every way a page has; every Chromium process
 * must run under the seccomp filter; nothing of a job may be left running or in /tmp.
 */
let runtime: BrowserProcessLevel;
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
  runtime = await startBrowserProcessLevel();
}, 90_000);

afterAll(async () => {
  await runtime?.stop();
  tcp?.close();
  udp?.close();
});

afterEach(async () => {
  expect(await leftovers()).toEqual([]);
  expect(runtime.ownedTmpEntries()).toEqual([]);
  expect(runtime.runtimeApiRequests).toEqual([]);
});

/** Processes of the runner's uid other than the runner itself, after a grace period. */
async function leftovers(graceMs = 2000): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const found = (await processesOfUid(runtime.uid)).filter((pid) => pid !== runtime.pid);
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function file(path: string, content: string): SiteFile {
  return { path, content: Buffer.from(content) };
}

function job(files: SiteFile[], checks: BrowserCheck[], timeoutMs = 15_000): BrowserJob {
  return { files, checks, timeoutMs };
}

/** Every live process whose command line names the runner's work root (its Chromiums). */
async function browserProcesses(): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(runtime.workRoot)) found.push(pid);
  }
  return found;
}

describe('Function: createBrowserRunner — where Chromium’s own sandbox cannot start', () => {
  it('picks the process level by itself and says so', () => {
    expect(runtime.uid).not.toBe(0);
    expect(runtime.capabilities.level).toBe('process');
    expect(runtime.capabilities.layers).toEqual(
      expect.arrayContaining([
        'seccomp',
        'rlimits',
        'runtime-signals-refused',
        'process-group-locked',
        'webrtc-udp-disabled',
        'runtime-non-dumpable',
      ]),
    );
    expect(runtime.capabilities.layers).not.toContain('chromium-sandbox');
    expect(runtime.capabilities.layers).not.toContain('net-namespace');
  });

  it('starts every Chromium process under the seccomp filter, in one process group, with the limits', async () => {
    // Prepare: a check that keeps the browser alive while its processes are read.
    const running = runtime.run(
      job(
        [file('index.html', '<title>t</title>')],
        [{ id: 'wait', js: 'new Promise((r) => setTimeout(() => r(true), 2000))' }],
      ),
    );
    await new Promise((r) => setTimeout(r, 1200));

    // Act
    const seen: Array<{ comm: string; seccomp?: string; uid?: string; group?: string; data?: string }> = [];
    for (const pid of await browserProcesses()) {
      const read = (name: string) => readFile(`/proc/${pid}/${name}`, 'utf8').catch(() => '');
      const [status, comm, stat, limits] = await Promise.all([
        read('status'),
        read('comm'),
        read('stat'),
        read('limits'),
      ]);
      if (!/chrom/i.test(comm)) continue;
      seen.push({
        comm: comm.trim(),
        seccomp: /^Seccomp:\s+(\d)/m.exec(status)?.[1],
        uid: /^Uid:\s+(\d+)/m.exec(status)?.[1],
        group: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2],
        data: /^Max data size\s+(\d+)/m.exec(limits)?.[1],
      });
    }
    const result = await running;

    // Assess: browser, zygotes, renderer and utilities are all filtered (mode 2), of the runner's
    // uid, in a single process group (the one the wall clock kills), under RLIMIT_DATA.
    expect(result.checks[0]?.status).toBe('passed');
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen.map((p) => p.seccomp))).toEqual(new Set(['2']));
    expect(new Set(seen.map((p) => p.uid))).toEqual(new Set([String(runtime.uid)]));
    expect(new Set(seen.map((p) => p.group)).size).toBe(1);
    expect(new Set(seen.map((p) => p.data))).toEqual(new Set([String(1024 * 1024 * 1024)]));
  });
});

describe('Method: run at process — what the page may reach', () => {
  it('reaches no loopback server by fetch, WebSocket, <img>, preconnect or WebRTC, nor the Runtime API', async () => {
    // Prepare: with no network namespace, only request interception, the filter and WebRTC's
    // policy stand between the page and the host's loopback.
    const tcpBefore = tcpConnections;
    const udpBefore = udpPackets;
    const stun = `new Promise(async (done) => {
  const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${udpPort}' }, { urls: 'turn:127.0.0.1:${tcpPort}?transport=tcp', username: 'u', credential: 'c' }] });
  pc.createDataChannel('x');
  await pc.setLocalDescription(await pc.createOffer());
  setTimeout(() => done(pc.localDescription !== null), 2000);
})`;
    const runtimeApi = `http://127.0.0.1:${runtime.runtimeApiPort}/2018-06-01/runtime/invocation/forged/response`;
    // Act
    const result = await runtime.run(
      job(
        [
          file(
            'index.html',
            `<title>t</title><img src="http://127.0.0.1:${tcpPort}/pixel.png">
<link rel="preconnect" href="http://127.0.0.1:${tcpPort}"><link rel="dns-prefetch" href="http://127.0.0.1:${tcpPort}">`,
          ),
        ],
        [
          { id: 'webrtc-ran', js: stun },
          {
            id: 'fetch',
            js: `fetch('http://127.0.0.1:${tcpPort}/').then(() => 'reached', (e) => 'refused: ' + e.message)`,
          },
          {
            id: 'websocket',
            js: `new Promise((r) => { const w = new WebSocket('ws://127.0.0.1:${tcpPort}/'); w.onopen = () => r('open'); w.onclose = () => r('closed'); setTimeout(() => r('pending'), 1000); })`,
          },
          {
            id: 'runtime-api',
            js: `fetch('${runtimeApi}', { method: 'POST', body: '{}' }).then(() => 'reached', () => 'refused')`,
          },
          { id: 'beacon', js: `navigator.sendBeacon('${runtimeApi}', '{}') && 'queued'` },
        ],
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    // Assess: WebRTC ran (an offer was made) and the host saw nothing at all.
    expect(result.checks[0]).toMatchObject({ id: 'webrtc-ran', status: 'passed' });
    expect(result.checks[1]?.value).toBe('"refused: Failed to fetch"');
    expect(result.checks[2]?.value).toBe('"closed"');
    expect(result.checks[3]?.value).toBe('"refused"');
    expect(tcpConnections - tcpBefore).toBe(0);
    expect(udpPackets - udpBefore).toBe(0);
    expect(result.refusedRequests).toContain(`external request not verifiable offline: 127.0.0.1:${tcpPort}`);
  });
});

describe('Method: run at process — hostile pages', () => {
  it('stops an endless loop and a memory bomb, while a good job beside them passes', async () => {
    // Prepare
    const loop = job(
      [file('index.html', '<title>t</title><script>while (true) {}</script>')],
      [{ id: 't', js: 'true' }],
      4000,
    );
    const bomb = job(
      [
        file(
          'index.html',
          '<title>t</title><script>const a = []; for (;;) a.push(new Array(1e6).fill(Math.random()));</script>',
        ),
      ],
      [{ id: 't', js: 'true' }],
      30_000,
    );
    const good = job(
      [file('index.html', '<title>good</title>')],
      [{ id: 't', js: 'document.title === "good"' }],
    );
    // Act
    const started = performance.now();
    const timed = async (j: BrowserJob) => {
      const result = await runtime.run(j);
      return { result, wallMs: performance.now() - started };
    };
    const [l, b, g] = await Promise.all([timed(loop), timed(bomb), timed(good)]);
    // Assess
    expect(l.result.status).toBe('timeout');
    expect(l.result.reason).toContain('wall clock of 4000 ms');
    expect(l.wallMs).toBeLessThan(4000 + 4000);
    expect(b.result.status).toBe('crashed');
    expect(b.result.crashedBy).toBe('program');
    expect(b.wallMs).toBeLessThan(15_000);
    expect(g.result.status).toBe('ran');
    expect(g.result.checks[0]?.status).toBe('passed');
    expect(await browserProcesses()).toEqual([]);
    expect((await readdir(runtime.workRoot)).filter((d) => d.startsWith('job-'))).toEqual([]);
  });
});
