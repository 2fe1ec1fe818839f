import { execFile } from 'node:child_process';
import { access, constants, realpath } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { promisify } from 'node:util';
import { SandboxUnavailableError } from './errors.js';

const run = promisify(execFile);

export interface PythonInterpreter {
  /** Absolute path, symlinks resolved except the last hop (so `python3` stays `python3`). */
  path: string;
  version: string;
  /** `sys.path` of a normal start; the boot script starts without `site` and adds these back. */
  sysPath: string[];
}

/** Well-known absolute interpreters, tried before anything on PATH (a pyenv shim costs ~200 ms a start). */
const CANDIDATES = ['/usr/bin/python3', '/usr/local/bin/python3', '/var/lang/bin/python3'];

const QUERY =
  'import sys, json; print(json.dumps({"exe": sys.executable, "version": sys.version.split()[0], "path": sys.path}))';

/**
 * Resolves the interpreter once. An explicit path wins; then the well-known absolute ones; then
 * `python3` on PATH, resolved through any shim to the real executable it runs.
 */
export async function resolvePython(explicit?: string): Promise<PythonInterpreter> {
  const tried: string[] = [];
  const candidates = explicit !== undefined ? [explicit] : [...CANDIDATES, 'python3'];
  for (const candidate of candidates) {
    tried.push(candidate);
    if (isAbsolute(candidate) && !(await isExecutable(candidate))) continue;
    try {
      // A trusted query of our own; only the bare-name fallback needs the caller's PATH.
      const env = isAbsolute(candidate) ? { env: { PATH: '/usr/local/bin:/usr/bin:/bin' } } : {};
      const { stdout } = await run(candidate, ['-c', QUERY], { timeout: 10_000, ...env });
      const info = JSON.parse(stdout) as { exe: string; version: string; path: string[] };
      const path = isAbsolute(candidate) ? candidate : await realpath(info.exe);
      return { path, version: info.version, sysPath: info.path.filter((p) => p !== '') };
    } catch {
      // try the next one
    }
  }
  throw new SandboxUnavailableError(`no usable python3 interpreter (tried ${tried.join(', ')})`);
}

/** Whether this process may execute the file at `path`. */
export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
