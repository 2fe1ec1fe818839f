import type { RunResult } from '../../domain/types.js';
import type { SandboxJob } from '../../ports/sandbox-runner.js';
import { type ContainmentLevel, usesRunUid } from './containment.js';

/** Imports the probe program, then tries an IP socket: the seccomp filter must refuse it (EACCES). */
const SELF_TEST_HARNESS = `import _socket
import probe
try:
    _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM).close()
    print("socket opened")
except OSError as error:
    print("socket refused", error.errno)
`;

/** A tiny checked program under a harness: it prints its uid, then whether an IP socket opened. */
export const SELF_TEST_JOB: SandboxJob = {
  files: { 'probe.py': 'import os\nprint(os.getuid())\n', 'harness.py': SELF_TEST_HARNESS },
  entry: 'harness.py',
  checked: ['probe.py'],
  timeoutMs: 10_000,
};

/** Null when the self-test passed and every layer the runner would claim held, else why not. */
export function selfTestProblem(result: RunResult, level: ContainmentLevel, seccomp: boolean): string | null {
  if (result.status !== 'passed') {
    const stderr = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
    return `${result.status}: ${result.reason ?? ''}${stderr ? ` (${stderr})` : ''}`;
  }
  const [uid = '', socket = ''] = result.stdout.trim().split('\n');
  if (usesRunUid(level) && uid.trim() === '0') return 'the program still ran as root';
  if (seccomp && socket.trim() !== 'socket refused 13')
    return `the seccomp filter did not refuse an IP socket (${socket.trim()})`;
  return null;
}
