import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { BrowserCapabilities, BrowserJob, BrowserRunResult } from '../../shared/ports/browser-runner.js';

/**
 * The browser runner as the sandbox Lambda holds it, on this machine: in a Node process of its
 * own, under an unprivileged uid (dropped to with setpriv when the tests run as root), where user
 * namespaces cannot be made (a seccomp filter refuses CLONE_NEWUSER, as Lambda does), so Chromium's
 * own sandbox cannot start. The runner is bundled with esbuild beside its Python scripts and
 * `node_modules`, as in the image; the runtime gets the image's non-dumpable preload, a canary and
 * fake AWS credentials in its launch environment, and AWS_LAMBDA_RUNTIME_API naming a fake Runtime
 * API on loopback that records every request.
 */
export interface BrowserProcessLevel {
  run(job: BrowserJob): Promise<BrowserRunResult>;
  capabilities: BrowserCapabilities;
  /** The runner process's pid and uid. */
  pid: number;
  uid: number;
  /** Where the runner keeps its job dirs: every Chromium of it names this path. */
  workRoot: string;
  canary: string;
  /** Requests the fake Runtime API received, and its port on 127.0.0.1. */
  runtimeApiRequests: string[];
  runtimeApiPort: number;
  /** Entries the runner's uid owns at the top of /tmp, /var/tmp and /dev/shm. */
  ownedTmpEntries(): string[];
  stop(): Promise<void>;
}

export interface BrowserProcessLevelOptions {
  /** Forces the level (as `SANDBOX_LEVEL` does); unset, the runner's probe picks. */
  level?: 'process' | 'chromium-sandbox';
}

const REPO = resolve(import.meta.dirname, '../..');
/** As sandbox-image/Dockerfile copies them into the function's node_modules. */
const IMAGE_PACKAGES = ['playwright-core', 'bootstrap', 'marked', 'highlight.js', '@highlightjs/cdn-assets'];

export async function startBrowserProcessLevel(
  options: BrowserProcessLevelOptions = {},
): Promise<BrowserProcessLevel> {
  const isRoot = process.getuid?.() === 0;
  // Not the Python suite's range (61_000 + …): the suites may run side by side.
  const uid = isRoot ? 62_000 + (process.pid % 1000) : (process.getuid?.() ?? 0);
  const base = mkdtempSync(join(tmpdir(), 'te-browser-proc-'));
  chmodSync(base, 0o755);
  const bundleDir = join(base, 'sandbox');
  mkdirSync(bundleDir, { recursive: true });
  await build({
    entryPoints: [join(REPO, 'test/support/browser-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['playwright-core'],
    outfile: join(bundleDir, 'child.mjs'),
    banner: {
      js: "import { createRequire as bannerRequire } from 'node:module'; const require = bannerRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  cpSync(join(REPO, 'shared/adapters/sandbox/python'), join(bundleDir, 'python'), { recursive: true });
  // The packages the image puts beside the bundle, copied (not linked): the unprivileged uid must
  // be able to read them wherever the checkout is, even in a directory only root may enter.
  for (const pkg of IMAGE_PACKAGES) {
    cpSync(join(REPO, 'node_modules', pkg), join(base, 'node_modules', pkg), {
      recursive: true,
      dereference: true,
    });
  }
  const preload = join(base, 'te_nodump.so');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', preload, join(REPO, 'sandbox-image/nodump.c')]);
  execFileSync('chmod', ['-R', 'a+rX,go-w', bundleDir, join(base, 'node_modules'), preload]);
  const workRoot = join(base, 'work');
  mkdirSync(workRoot, { mode: 0o711 });
  if (isRoot) chownSync(workRoot, uid, uid);

  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(202).end('{}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const runtimeApiPort = (server.address() as AddressInfo).port;

  const canary = `canary-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    // Lambda's user has a passwd entry (playwright-core reads the home dir when loaded); this uid
    // has none, so it gets a home that, as there, it cannot write.
    HOME: '/nonexistent',
    TE_CANARY: canary,
    AWS_ACCESS_KEY_ID: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'),
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${runtimeApiPort}`,
    TE_CHILD_WORK_ROOT: workRoot,
    LD_PRELOAD: preload,
    ...(options.level ? { TE_CHILD_LEVEL: options.level } : {}),
  };
  const node = [process.execPath, join(bundleDir, 'child.mjs')];
  const drop = isRoot ? ['/usr/bin/setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'] : [];
  const child: ChildProcess = spawn(
    '/usr/bin/python3',
    [join(REPO, 'test/support/no-user-namespaces.py'), ...drop, ...node],
    { cwd: bundleDir, env, stdio: ['pipe', 'pipe', 'inherit'] },
  );

  const waiting = new Map<number, (result: BrowserRunResult) => void>();
  let onReady: (message: Record<string, unknown>) => void = () => undefined;
  const ready = new Promise<Record<string, unknown>>((done) => {
    onReady = done;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    if ('id' in message) {
      const id = message.id as number;
      if (message.error !== undefined) throw new Error(`the browser child failed a job: ${message.error}`);
      waiting.get(id)?.(message.result as BrowserRunResult);
      waiting.delete(id);
    } else onReady(message);
  });
  const started = await Promise.race([
    ready,
    new Promise<Record<string, unknown>>((done) =>
      child.once('exit', (code) => done({ error: `exit ${code}` })),
    ),
  ]);
  const cleanUp = async () => {
    await new Promise((done) => server.close(done));
    rmSync(base, { recursive: true, force: true });
  };
  if (started.error !== undefined) {
    child.kill('SIGKILL');
    await cleanUp();
    throw new Error(`the browser runner did not start: ${started.error}`);
  }

  let next = 0;
  return {
    capabilities: started.ready as BrowserCapabilities,
    pid: started.pid as number,
    uid: started.uid as number,
    workRoot,
    canary,
    runtimeApiRequests: requests,
    runtimeApiPort,
    ownedTmpEntries: () =>
      ['/tmp', '/var/tmp', '/dev/shm'].flatMap((dir) => {
        try {
          return execFileSync('find', [dir, '-maxdepth', '1', '-mindepth', '1', '-uid', String(uid)], {
            encoding: 'utf8',
          })
            .split('\n')
            .filter((l) => l !== '');
        } catch {
          return [];
        }
      }),
    run(job) {
      const id = next++;
      const files = job.files.map((f) => ({
        path: f.path,
        base64: Buffer.from(f.content).toString('base64'),
      }));
      return new Promise<BrowserRunResult>((done) => {
        waiting.set(id, done);
        child.stdin?.write(`${JSON.stringify({ id, job: { ...job, files } })}\n`);
      });
    },
    async stop() {
      child.stdin?.end();
      await new Promise((done) => {
        if (child.exitCode !== null) done(undefined);
        else child.once('exit', done);
      });
      await cleanUp();
    },
  };
}
