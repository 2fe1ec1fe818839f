import type { Verdict } from '../../shared/domain/types.js';
import type { SandboxJob } from '../../shared/ports/sandbox-runner.js';

/** The hostile programs in test/fixtures/hostile and how each must end, at every level. */
export interface Case {
  fixture: string;
  /** Verdict as the checked candidate. */
  checked: Verdict;
  /** Verdict as an unchecked harness (runtime containment only). */
  unchecked: Verdict;
  timeoutMs?: number;
  extra?: Record<string, string>;
  /** What must not show up in the output of either run. */
  absent?: RegExp;
  /**
   * Where the `process` level (the sandbox Lambda's) ends differently, and why: the run shares
   * the runner's uid and sees the host's files, so some escapes are stopped later or not at all.
   */
  atProcess?: { checked?: Verdict; unchecked?: Verdict; why: string };
}

export const CASES: Case[] = [
  { fixture: 'fork_bomb', checked: 'blocked', unchecked: 'timeout', timeoutMs: 1500 },
  { fixture: 'memory_bomb', checked: 'crashed', unchecked: 'crashed', timeoutMs: 10_000 },
  { fixture: 'cpu_spin', checked: 'timeout', unchecked: 'timeout', timeoutMs: 1000 },
  { fixture: 'sleep_forever', checked: 'timeout', unchecked: 'timeout', timeoutMs: 800 },
  { fixture: 'output_flood', checked: 'crashed', unchecked: 'crashed', timeoutMs: 10_000 },
  { fixture: 'tcp_connect', checked: 'blocked', unchecked: 'failed', absent: /connected/ },
  { fixture: 'dns_lookup', checked: 'blocked', unchecked: 'failed', absent: /\d+\.\d+\.\d+\.\d+/ },
  { fixture: 'parent_environ', checked: 'failed', unchecked: 'failed' },
  { fixture: 'parent_environ_cat', checked: 'blocked', unchecked: 'passed', absent: /TE_CANARY/ },
  { fixture: 'proc1_environ', checked: 'blocked', unchecked: 'failed' },
  { fixture: 'self_environ', checked: 'blocked', unchecked: 'failed', absent: /TE_CANARY|AWS_/ },
  { fixture: 'read_shadow', checked: 'blocked', unchecked: 'failed', absent: /root:/ },
  { fixture: 'kill_parent', checked: 'blocked', unchecked: 'failed', absent: /parent killed/ },
  { fixture: 'ignore_sigterm', checked: 'blocked', unchecked: 'timeout', timeoutMs: 800 },
  { fixture: 'double_fork_daemon', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'setsid_escape', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'dunder_import', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'builtins_getattr', checked: 'blocked', unchecked: 'failed' },
  { fixture: 'importlib_trick', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'eval_obfuscated', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'exec_base64', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'subclasses_escape', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'dynamic_getattr_system', checked: 'failed', unchecked: 'passed' },
  { fixture: 'ctypes_libc', checked: 'blocked', unchecked: 'passed' },
  { fixture: 'sys_modules_os', checked: 'blocked', unchecked: 'passed' },
  {
    fixture: 'symlink_escape',
    checked: 'blocked',
    unchecked: 'failed',
    extra: { 'target.txt': '/etc/shadow' },
  },
  { fixture: 'write_tmp', checked: 'failed', unchecked: 'failed' },
  { fixture: 'kill_runtime', checked: 'blocked', unchecked: 'failed', absent: /signalled [1-9]/ },
  {
    fixture: 'raw_socket_syscall',
    checked: 'blocked',
    unchecked: 'crashed',
    absent: /opened \['|opened x32/,
  },
  { fixture: 'ipc_persist', checked: 'blocked', unchecked: 'failed', absent: /made \['/ },
  { fixture: 'ptrace_parent', checked: 'blocked', unchecked: 'failed', absent: /attached|read the parent/ },
  { fixture: 'netlink_socket', checked: 'blocked', unchecked: 'failed', absent: /opened/ },
];

/** A run that must still pass beside the hostile ones: the containment may refuse, never break. */
export const WELL_BEHAVED: SandboxJob = {
  files: {
    'program.py': 'def mean(xs):\n    return sum(xs) / len(xs)\n',
    'test.py': 'from program import mean\nassert mean([1, 2, 3]) == 2\nprint("ok")\n',
  },
  entry: 'test.py',
  checked: ['program.py'],
  timeoutMs: 5000,
};
