import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { RunResult } from '../../shared/domain/types.js';
import type { SandboxCapabilities, SandboxJob } from '../../shared/ports/sandbox-runner.js';

/**
 * The `process` containment level as the sandbox Lambda has it, on this machine: a runner in a
 * Node process of its own, under an unprivileged uid (dropped to with setpriv when the tests run
 * as root, as CI does), holding a canary and fake AWS credentials in its **launch** environment
 * (what /proc/<pid>/environ shows), with AWS_LAMBDA_RUNTIME_API naming a fake Runtime API on
 * loopback that records every request it gets. The runner is bundled with esbuild beside its
 * Python scripts, as in the image, and the Node runtime gets the image's non-dumpable preload.
 */
export interface ProcessLevelRunner {
  run(job: SandboxJob): Promise<RunResult>;
  capabilities: SandboxCapabilities;
  /** The runner process's own pid and uid. */
  pid: number;
  uid: number;
  /** Every secret in the runner's launch environment. */
  secrets: { canary: string; accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** Requests the fake Runtime API received. */
  runtimeApiRequests: string[];
  /** host:port of the fake Runtime API. */
  runtimeApi: string;
  /** Entries the runner's uid owns in /tmp, /var/tmp and /dev/shm. */
  ownedTmpEntries(): string[];
  stop(): Promise<void>;
}

const REPO = resolve(import.meta.dirname, '../..');

export interface ProcessLevelOptions {
  /** Start the runtime without the non-dumpable preload (to show what it protects). @default true */
  nonDumpable?: boolean;
  /**
   * The level the runner must use. At `process` it runs under an unprivileged uid (dropped to when
   * the tests run as root); at the root levels it stays root, its runs get uids of their own.
   * @default 'process'
   */
  level?: 'process' | 'ns' | 'uid';
}

export async function startProcessLevelRunner(
  options: ProcessLevelOptions = {},
): Promise<ProcessLevelRunner> {
  const isRoot = process.getuid?.() === 0;
  const level = options.level ?? 'process';
  const drop = isRoot && level === 'process';
  const uid = drop ? 61_000 + (process.pid % 1000) : (process.getuid?.() ?? 0);
  const base = mkdtempSync(join(tmpdir(), 'te-sbx-proc-'));
  chmodSync(base, 0o755);
  const bundleDir = join(base, 'sandbox');
  mkdirSync(bundleDir, { recursive: true });
  await build({
    entryPoints: [join(REPO, 'test/support/sandbox-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: join(bundleDir, 'child.mjs'),
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  cpSync(join(REPO, 'shared/adapters/sandbox/python'), join(bundleDir, 'python'), { recursive: true });
  execFileSync('/usr/bin/python3', ['-m', 'compileall', '-q', join(bundleDir, 'python')]);
  const preload = join(base, 'te_nodump.so');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', preload, join(REPO, 'sandbox-image/nodump.c')]);
  execFileSync('chmod', ['-R', 'a+rX,go-w', base]);
  const workRoot = join(base, 'work');
  mkdirSync(workRoot, { mode: 0o711 });
  if (drop) chownSync(workRoot, uid, uid);

  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(202).end('{}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const runtimeApi = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const secrets = {
    canary: `canary-${randomBytes(12).toString('hex')}`,
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`,
  };
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TE_CANARY: secrets.canary,
    AWS_ACCESS_KEY_ID: secrets.accessKeyId,
    AWS_SECRET_ACCESS_KEY: secrets.secretAccessKey,
    AWS_SESSION_TOKEN: secrets.sessionToken,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    AWS_REGION: 'us-east-1',
    TE_CHILD_LEVEL: level,
    TE_CHILD_WORK_ROOT: workRoot,
  };
  if (options.nonDumpable !== false) env.LD_PRELOAD = preload;
  const command = drop
    ? {
        file: 'setpriv',
        args: [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', process.execPath],
      }
    : { file: process.execPath, args: [] };
  const child: ChildProcess = spawn(command.file, [...command.args, join(bundleDir, 'child.mjs')], {
    cwd: bundleDir,
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<number, (result: RunResult) => void>();
  let onReady: (message: Record<string, unknown>) => void = () => undefined;
  const ready = new Promise<Record<string, unknown>>((done) => {
    onReady = done;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    if ('id' in message) {
      waiting.get(message.id as number)?.(message.result as RunResult);
      waiting.delete(message.id as number);
    } else onReady(message);
  });
  const started = await Promise.race([
    ready,
    new Promise<Record<string, unknown>>((done) =>
      child.once('exit', (code) => done({ error: `exit ${code}` })),
    ),
  ]);
  if (started.error !== undefined) {
    child.kill('SIGKILL');
    await new Promise((done) => server.close(done));
    rmSync(base, { recursive: true, force: true });
    throw new Error(`the process-level runner did not start: ${started.error}`);
  }

  let next = 0;
  const ownedTmpEntries = () =>
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
    });
  return {
    capabilities: started.ready as SandboxCapabilities,
    pid: started.pid as number,
    uid,
    secrets,
    runtimeApiRequests: requests,
    runtimeApi,
    ownedTmpEntries,
    run(job) {
      const id = next++;
      return new Promise<RunResult>((done) => {
        waiting.set(id, done);
        child.stdin?.write(`${JSON.stringify({ id, job })}\n`);
      });
    },
    async stop() {
      child.stdin?.end();
      await new Promise((done) => {
        if (child.exitCode !== null) done(undefined);
        else child.once('exit', done);
      });
      await new Promise((done) => server.close(done));
      rmSync(base, { recursive: true, force: true });
    },
  };
}
