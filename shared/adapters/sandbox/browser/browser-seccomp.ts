import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PYTHON_DIR } from '../runtime-scripts.js';

const execFileAsync = promisify(execFile);

/** The filter every untrusted process starts under, and how a non-Python program gets it. */
export interface BrowserSeccomp {
  python: string;
  loader: string;
  /** libseccomp's BPF, as hex. */
  program: string;
}

/** A process the browser must not signal: its pid, its process group and its threads. */
export type ProtectedProcess = [pid: number, group: number, threads: number[]];

export const SYSTEM_PYTHON = '/usr/bin/python3';

// The supervisor's filter (no socket but AF_UNIX, no ptrace, no process_vm_*, no bpf, no SysV IPC…)
// with, given ancestors, its rules against signalling them. At the process level the browser also
// may not leave its process group (setsid, setpgid): the group kill at the wall clock then reaches
// every process it started, which no pid namespace does for it there.
const COMPILE = `import errno, json, sys, tempfile
sys.path.insert(0, sys.argv[1])
import te_sandbox_supervisor as t
seccomp = t.import_seccomp(sys.path)
protected = [(pid, group, tids) for pid, group, tids in json.loads(sys.argv[2])]
f = t.build_filter(seccomp, protected)
if protected:
    for name in ("setsid", "setpgid"):
        f.add_rule(seccomp.ERRNO(errno.EPERM), name)
with tempfile.TemporaryFile() as out:
    f.export_bpf(out)
    out.seek(0)
    print(out.read().hex())`;

/**
 * Compiles the filter with libseccomp through the first interpreter that has a binding for it (the
 * image's Python has `pyseccomp`, its system python3 none); undefined where none has.
 * `protected` names the processes the browser may not signal (the `process` level's ancestors).
 */
export async function compileBrowserSeccomp(
  pythons: readonly string[] = [SYSTEM_PYTHON],
  protectedProcesses: readonly ProtectedProcess[] = [],
): Promise<BrowserSeccomp | undefined> {
  for (const python of new Set(pythons)) {
    try {
      const { stdout } = await execFileAsync(
        python,
        ['-c', COMPILE, PYTHON_DIR, JSON.stringify(protectedProcesses)],
        { env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' }, timeout: 10_000 },
      );
      const program = stdout.trim();
      if (/^(?:[0-9a-f]{16})+$/.test(program))
        return { python, loader: join(PYTHON_DIR, 'te_sandbox_seccomp_exec.py'), program };
    } catch {
      // no binding in this interpreter (or no interpreter): try the next
    }
  }
  return undefined;
}

/**
 * This process (the Node runtime) and every ancestor below pid 1, with their groups and threads,
 * read now: the threads change as Node starts workers, so each job reads them again.
 */
export async function runtimeAncestors(): Promise<ProtectedProcess[]> {
  const out: ProtectedProcess[] = [];
  let pid = process.pid;
  while (pid > 1) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const threads = (await readdir(`/proc/${pid}/task`)).map(Number).filter(Number.isInteger);
      out.push([pid, Number(fields[2]), threads]);
      pid = Number(fields[1]);
    } catch {
      break;
    }
  }
  return out;
}
