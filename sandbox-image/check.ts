/**
 * `npm run sandbox:image-check`: where a Docker engine answers, builds the sandbox image and runs a
 * passing and hostile jobs through the Lambda Runtime Interface Emulator that the AWS base image
 * ships, with fake credentials and a canary in the container's environment. Where no engine
 * answers it says so and exits 0: nothing here can stand in for the image.
 *
 * The jobs go through `check-handler.ts` (bundled now, mounted read-only next to the real
 * handler), so the check depends on the image and the sandbox, not on the store the real handler
 * reads its inputs from.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { RunResult } from '../shared/domain/types.js';
import type { SandboxCapabilities, SandboxJob } from '../shared/ports/sandbox-runner.js';
import { leakedSecrets } from '../test/support/leak-scan.js';

const REPO = resolve(import.meta.dirname, '..');
const IMAGE = 'truth-engine-sandbox:image-check';
const PORT = 9000 + Math.floor(Math.random() * 500);

function docker(args: string[], options: { inherit?: boolean } = {}): string {
  return execFileSync('docker', args, {
    cwd: REPO,
    encoding: 'utf8',
    stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
  encoding: 'utf8',
  timeout: 20_000,
});
if (probe.error !== undefined || probe.status !== 0) {
  const why = probe.error !== undefined ? probe.error.message : (probe.stderr || '').trim().split('\n')[0];
  console.log(`sandbox:image-check: no Docker engine answers here (${why}).`);
  console.log('Nothing was built or run. Run this where `docker info` works to check the image itself.');
  process.exit(0);
}
console.log(`sandbox:image-check: Docker ${probe.stdout.trim()}; building ${IMAGE}`);
docker(['build', '-f', 'sandbox-image/Dockerfile', '-t', IMAGE, '.'], { inherit: true });

const mount = mkdtempSync(join(tmpdir(), 'te-image-check-'));
await build({
  entryPoints: [join(REPO, 'sandbox-image/check-handler.ts')],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  outfile: join(mount, 'handler.mjs'),
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  logLevel: 'silent',
});
cpSync(join(REPO, 'shared/adapters/sandbox/python'), join(mount, 'python'), { recursive: true });
chmodSync(mount, 0o755);
execFileSync('chmod', ['-R', 'a+rX', mount]);

const secrets = {
  TE_CANARY: `canary-${randomBytes(12).toString('hex')}`,
  AWS_ACCESS_KEY_ID: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
  AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'),
  AWS_SESSION_TOKEN: `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`,
};
const env = Object.entries(secrets).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
const container = docker([
  'run',
  '-d',
  '--rm',
  '-p',
  `127.0.0.1:${PORT}:8080`,
  '-v',
  `${mount}:/var/task/te-check:ro`,
  ...env,
  IMAGE,
  'te-check/handler.handler',
]).trim();

interface Answer {
  capabilities: SandboxCapabilities;
  result: RunResult;
  uid: number;
}

async function invoke(job: SandboxJob): Promise<Answer> {
  const url = `http://127.0.0.1:${PORT}/2015-03-31/functions/function/invocations`;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify({ job }) });
      return (await response.json()) as Answer;
    } catch (error) {
      if (attempt > 60) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const fixture = (name: string) => readFileSync(join(REPO, 'test/fixtures/hostile', `${name}.py`), 'utf8');
const harness = (code: string, extra: Record<string, string> = {}): SandboxJob => ({
  files: { 'harness.py': code, ...extra },
  entry: 'harness.py',
  checked: [],
  timeoutMs: 8000,
});
const failures: string[] = [];
const check = (what: string, ok: boolean, detail: unknown) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(`${what}: ${JSON.stringify(detail).slice(0, 600)}`);
};

try {
  const passing = await invoke({
    files: {
      'program.py': 'def mean(xs):\n    return sum(xs) / len(xs)\n',
      'test.py': 'from program import mean\nassert mean([1, 2, 3]) == 2\nprint("ok")\n',
    },
    entry: 'test.py',
    checked: ['program.py'],
    timeoutMs: 8000,
  });
  const layers = passing.capabilities?.layers ?? [];
  check('a well-behaved candidate passes', passing.result?.status === 'passed', passing);
  check(
    'the level is process, as in Lambda',
    passing.capabilities?.level === 'process',
    passing.capabilities,
  );
  check('the runtime does not run as root', passing.uid !== 0, passing.uid);
  for (const layer of ['seccomp', 'runtime-non-dumpable', 'tmp-sweep'])
    check(`the runner claims ${layer}`, layers.includes(layer), layers);

  const environ = await invoke(harness(fixture('runtime_environ_b64')));
  check(
    'the base64 of every ancestor environ carries no secret',
    leakedSecrets(JSON.stringify(environ.result), Object.values(secrets)).length === 0,
    environ.result,
  );
  const memory = await invoke(harness(fixture('runtime_mem')));
  check(
    "no ancestor's memory can be opened",
    memory.result?.stdout.includes('opened 0') === true,
    memory.result,
  );
  const api = await invoke(harness(fixture('runtime_api'), { 'target.txt': '127.0.0.1:9001' }));
  check(
    'the Runtime API on loopback cannot be reached',
    api.result?.status === 'failed' && !api.result.stdout.includes('posted'),
    api.result,
  );
  const blocked = await invoke({
    files: { 'program.py': fixture('tcp_connect') },
    entry: 'program.py',
    checked: ['program.py'],
    timeoutMs: 8000,
  });
  check('a candidate importing socket is blocked', blocked.result?.status === 'blocked', blocked.result);
} finally {
  spawnSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
  rmSync(mount, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`\nsandbox:image-check: ${failures.length} check(s) failed\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('\nsandbox:image-check: the image holds');
