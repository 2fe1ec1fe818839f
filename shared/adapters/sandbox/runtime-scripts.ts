import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * The boot scripts, beside this module (and beside the bundle in the image, where this module is
 * inlined into it): so this file stays at the top of the sandbox adapter.
 */
export const PYTHON_DIR = fileURLToPath(new URL('./python/', import.meta.url)).replace(/\/$/, '');

const PYTHON_FILES = [
  'te_sandbox_boot.py',
  'te_sandbox_supervisor.py',
  'te_sandbox_guard.py',
  'te_sandbox_policy.py',
  'te_sandbox_disk.py',
  'te_sandbox_forkserver.py',
  'te_sandbox_job_process.py',
  'sitecustomize.py',
];

/** The script every run starts with, in the runtime dir the runner uses. */
export function bootScript(runtimeDir: string): string {
  return join(runtimeDir, 'te_sandbox_boot.py');
}

/**
 * Copies the boot scripts into a root-owned, world-readable dir named by their content, compiled
 * (runs never write bytecode, and compiling the supervisor on every start would cost ~5 ms): the
 * run's uid can read them and cannot change them, and the bundle's own location may not be
 * readable to it. Not root (Lambda), the scripts run from where they are; the image precompiles them.
 */
export async function installRuntime(workRoot: string, python: string): Promise<string> {
  const contents = await Promise.all(PYTHON_FILES.map((f) => readFile(join(PYTHON_DIR, f))));
  const hash = createHash('sha256').update(python);
  for (const c of contents) hash.update(c);
  const dir = join(workRoot, `rt-${hash.digest('hex').slice(0, 16)}`);
  if (await exists(join(dir, PYTHON_FILES[0] ?? ''))) return dir;
  const staging = await mkdtemp(join(workRoot, 'rt-staging-'));
  await Promise.all(
    PYTHON_FILES.map((f, i) => writeFile(join(staging, f), contents[i] ?? '', { mode: 0o644 })),
  );
  await compileInto(python, staging, dir);
  await chmod(staging, 0o755);
  try {
    await rename(staging, dir);
  } catch {
    // another runner installed the same content first
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}

const COMPILE = `import py_compile, sys
src, final = sys.argv[1], sys.argv[2]
for name in sys.argv[3:]:
    py_compile.compile(src + "/" + name, dfile=final + "/" + name, doraise=True)`;

/** Bytecode for every module but the entry script, recorded under the dir it will be renamed to. */
async function compileInto(python: string, staging: string, finalDir: string): Promise<void> {
  const modules = PYTHON_FILES.filter((f) => f !== 'te_sandbox_boot.py');
  await execFileAsync(python, ['-c', COMPILE, staging, finalDir, ...modules], {
    env: { PATH: '/usr/bin:/bin' },
    timeout: 30_000,
  });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
