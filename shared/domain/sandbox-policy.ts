/**
 * The pre-flight policy for untrusted candidate code, as data.
 *
 * The policy is a tripwire, not the boundary: it refuses code that reaches for processes, the
 * network, the interpreter's internals or files outside the work dir before anything runs, so the
 * common ways out fail loudly with a rule name and a line. The boundary is the runtime containment
 * (namespaces, a per-run uid, rlimits, a scrubbed env); a determined program can hide a name from a
 * static check, and the runtime layers are what stop it then.
 *
 * Patterns: `name` matches exactly, `prefix*` matches any name starting with `prefix`, and `*.name`
 * matches an attribute of that name on anything (`*.read_pickle` catches `pd.read_pickle`).
 * Imports match the module or any submodule (`http` catches `http.client`).
 */

export type ProblemKind = 'fix' | 'task' | 'transform' | 'refactor';

export const PROBLEM_KINDS: readonly ProblemKind[] = ['fix', 'task', 'transform', 'refactor'];

export interface SandboxPolicy {
  kind: ProblemKind;
  /** Modules a checked file may not import, nor any of their submodules. */
  blockedImports: readonly string[];
  /**
   * When set, a checked file may import only these modules (and their submodules), the blocked
   * list still applying on top. Unset: anything not blocked may be imported.
   */
  allowedImports?: readonly string[];
  /** Names a checked file may not call or even reference (a reference is a call waiting to happen). */
  blockedCalls: readonly string[];
  /** Attribute names (and the same strings as literals, e.g. in `getattr`) a checked file may not use. */
  blockedAttributes: readonly string[];
  /** Bare names a checked file may not use. */
  blockedNames: readonly string[];
  /**
   * Calls whose first argument, when it is a string literal, names a path: an absolute path or one
   * that climbs out with `..` is refused. Non-literal paths are checked at run time by the guard.
   */
  pathCalls: readonly string[];
  /** Absolute paths a checked file may still name literally. */
  allowedPaths: readonly string[];
}

/**
 * Blocked for every kind. Why these: `subprocess`/`os.system`/`pty`/`multiprocessing` start
 * processes; `socket`/`ssl`/HTTP clients reach the network; `ctypes`/`cffi` escape the interpreter;
 * `importlib`/`runpy`/`code` load code by name; `pickle`/`marshal`/`shelve`/`dill` run code while
 * loading data; `shutil` copies and removes trees; `signal`/`resource` fiddle with the limits that
 * contain the run; `gc`/`inspect`/`builtins`/`posix` reach objects the restricted builtins hide.
 * `asyncio` itself is allowed (its subprocess helpers are blocked calls); `threading` is allowed.
 */
const BASE_BLOCKED_IMPORTS: readonly string[] = [
  '_ctypes',
  '_pickle',
  '_posixsubprocess',
  '_signal',
  '_socket',
  'aiohttp',
  'asyncio.subprocess',
  'builtins',
  'cffi',
  'code',
  'codeop',
  'ctypes',
  'dill',
  'ftplib',
  'gc',
  'http',
  'httpx',
  'imaplib',
  'imp',
  'importlib',
  'inspect',
  'marshal',
  'multiprocessing',
  'nntplib',
  'nt',
  'pdb',
  'pexpect',
  'pickle',
  'poplib',
  'posix',
  'pty',
  'requests',
  'resource',
  'runpy',
  'shelve',
  'shutil',
  'signal',
  'smtplib',
  'socket',
  'socketserver',
  'ssl',
  'subprocess',
  'telnetlib',
  'urllib',
  'urllib3',
  'webbrowser',
  'xmlrpc',
  'zipimport',
];

const BASE_BLOCKED_CALLS: readonly string[] = [
  '__import__',
  'breakpoint',
  'compile',
  'eval',
  'exec',
  'asyncio.create_subprocess_exec',
  'asyncio.create_subprocess_shell',
  // A candidate that a test imports could end the test with status 0 before any assertion ran. The
  // verdict does not rest on this (status 0 without the boot's completion record fails); it refuses
  // the plain spelling before anything runs.
  'os._exit',
  'os.chown',
  'os.chroot',
  'os.exec*',
  'os.fork',
  'os.forkpty',
  'os.kill',
  'os.killpg',
  'os.lchown',
  'os.link',
  'os.pidfd_open',
  'os.popen',
  'os.posix_spawn*',
  'os.register_at_fork',
  'os.setegid',
  'os.seteuid',
  'os.setgid',
  'os.setpgid',
  'os.setpgrp',
  'os.setregid',
  'os.setresgid',
  'os.setresuid',
  'os.setreuid',
  'os.setsid',
  'os.setuid',
  'os.spawn*',
  'os.symlink',
  'os.system',
  'sys._getframe',
  'sys.modules',
  'sys.setprofile',
  'sys.settrace',
  '*.read_pickle',
];

/** Dunder and frame attributes that lead from any object back to the interpreter's internals. */
const BASE_BLOCKED_ATTRIBUTES: readonly string[] = [
  '__base__',
  '__bases__',
  '__builtins__',
  '__closure__',
  '__code__',
  '__globals__',
  '__import__',
  '__loader__',
  '__mro__',
  '__spec__',
  '__subclasses__',
  'ag_frame',
  'cr_frame',
  'f_back',
  'f_builtins',
  'f_globals',
  'f_locals',
  'gi_code',
  'gi_frame',
  'tb_frame',
];

const BASE_BLOCKED_NAMES: readonly string[] = ['__builtins__', '__loader__', '__spec__'];

const BASE_PATH_CALLS: readonly string[] = [
  'open',
  'io.open',
  'codecs.open',
  'glob.glob',
  'glob.iglob',
  'os.chdir',
  'os.listdir',
  'os.makedirs',
  'os.mkdir',
  'os.open',
  'os.remove',
  'os.rename',
  'os.replace',
  'os.rmdir',
  'os.scandir',
  'os.unlink',
  'os.walk',
  'pathlib.Path',
  'pathlib.PosixPath',
  '*.read_*',
  '*.to_*',
];

const BASE: Omit<SandboxPolicy, 'kind'> = {
  blockedImports: BASE_BLOCKED_IMPORTS,
  blockedCalls: BASE_BLOCKED_CALLS,
  blockedAttributes: BASE_BLOCKED_ATTRIBUTES,
  blockedNames: BASE_BLOCKED_NAMES,
  pathCalls: BASE_PATH_CALLS,
  allowedPaths: ['/dev/null'],
};

/**
 * A transform program reads a table and writes a table: an allowlist fits it, and keeps the data
 * libraries it needs (pandas, numpy, openpyxl) while everything else stays out.
 */
const TRANSFORM_ALLOWED_IMPORTS: readonly string[] = [
  'pandas',
  'numpy',
  'openpyxl',
  'scipy',
  'bisect',
  'calendar',
  'collections',
  'copy',
  'csv',
  'dataclasses',
  'datetime',
  'decimal',
  'enum',
  'fractions',
  'functools',
  'glob',
  'heapq',
  'io',
  'itertools',
  'json',
  'math',
  'numbers',
  'operator',
  'os',
  'pathlib',
  'random',
  're',
  'statistics',
  'string',
  'sys',
  'textwrap',
  'time',
  'typing',
  'unicodedata',
  'warnings',
  'zoneinfo',
];

export const DEFAULT_POLICIES: Readonly<Record<ProblemKind, SandboxPolicy>> = {
  fix: { kind: 'fix', ...BASE },
  refactor: { kind: 'refactor', ...BASE },
  task: { kind: 'task', ...BASE },
  transform: { kind: 'transform', ...BASE, allowedImports: TRANSFORM_ALLOWED_IMPORTS },
};

export function defaultPolicy(kind: ProblemKind): SandboxPolicy {
  return DEFAULT_POLICIES[kind];
}
