import { credentialValues, secretForms } from '../../domain/output-sanitizer.js';
import type { ProblemKind, SandboxPolicy } from '../../domain/sandbox-policy.js';
import type { ContainmentLevel } from './containment.js';

export interface LocalSandboxRunnerOptions {
  /** Interpreter to run; the caller passes SANDBOX_PYTHON here. @default /usr/bin/python3, then python3 on PATH */
  pythonPath?: string;
  /** Insist on one level (tests, the bench); creation fails when it does not work. @default the strongest that works */
  level?: ContainmentLevel;
  /** Policies by kind, replacing the defaults. */
  policies?: Partial<Record<ProblemKind, SandboxPolicy>>;
  /** Kind used when a job names none. @default 'fix' */
  defaultKind?: ProblemKind;
  /** Where work dirs live. @default `<tmpdir>/te-sandbox` */
  workRoot?: string;
  /** Address-space limit per process. @default 1024 */
  memoryMb?: number;
  /** Largest file a run may write. @default 64 */
  fileSizeMb?: number;
  /**
   * Everything a run may write in total, at the `ns` level: its work dir, /tmp, /var/tmp and
   * /dev/shm are one private tmpfs of this size, and every other mount is read-only. Other levels
   * have only the per-file cap (`fileSizeMb`). @default 64
   */
  diskMb?: number;
  /** @default 256 */
  openFiles?: number;
  /** Processes (threads count) a run may have at once. @default 64 */
  processes?: number;
  /** Per-stream cap in the result. @default 64 KiB */
  resultOutputBytes?: number;
  /** Per-stream cap in `logs`. @default 1 MiB */
  logOutputBytes?: number;
  /** Output (both streams) after which the run is ended as crashed. @default 16 MiB */
  maxOutputBytes?: number;
  /** First uid handed to runs at the uid levels. @default 200000 */
  uidBase?: number;
  /** @default 4096 */
  uidCount?: number;
  /**
   * Where the uid locks live. Every runner on the host must share it: a run's cleanup kills every
   * process of its uid, so no two runners may hand out the same uid at once, whatever their work
   * roots. @default `<tmpdir>/te-sandbox/uids`, which the browser sandbox uses too
   */
  uidLockDir?: string;
  /** Paths hidden behind empty read-only mounts at the `ns` level. @default the cwd, the home dir, /root, /home */
  hiddenPaths?: string[];
  /** How long after the deadline the runner kills the sandbox itself, if the boot script has not. @default 1500 */
  backstopGraceMs?: number;
  /**
   * Load the seccomp filter into every untrusted process (no IP/netlink/packet sockets, no ptrace,
   * process_vm_*, bpf, io_uring). `false` only for measuring its cost. When the interpreter cannot
   * load libseccomp the runner says so in its layers (`seccomp-unavailable`). @default true
   */
  seccomp?: boolean;
  /**
   * Start runs as forks of one pre-started interpreter (the layers say `warm-interpreter`) where
   * the level allows it (`ns`, `uid`); elsewhere, or with `false`, every run starts a fresh
   * Python (`fresh-interpreter`). @default true
   */
  warm?: boolean;
  /**
   * Deployment secrets to remove from every output, on top of the credentials in this process's
   * own environment (AWS_*, *_KEY, *_SECRET, *_TOKEN, …), in every encoding `secretForms` knows.
   */
  secrets?: readonly string[];
}

/** The limits every run gets, with the options' defaults filled in. */
export interface RunSettings {
  memoryMb: number;
  fileSizeMb: number;
  diskMb: number;
  openFiles: number;
  processes: number;
  resultOutputBytes: number;
  logOutputBytes: number;
  maxOutputBytes: number;
  backstopGraceMs: number;
  /** Encoded forms of every secret the output must not carry (see secretForms). */
  secretForms: readonly string[];
}

export function resolveSettings(options: LocalSandboxRunnerOptions): RunSettings {
  const settings: RunSettings = {
    memoryMb: options.memoryMb ?? 1024,
    fileSizeMb: options.fileSizeMb ?? 64,
    diskMb: options.diskMb ?? 64,
    openFiles: options.openFiles ?? 256,
    processes: options.processes ?? 64,
    resultOutputBytes: options.resultOutputBytes ?? 64 * 1024,
    logOutputBytes: options.logOutputBytes ?? 1024 * 1024,
    maxOutputBytes: options.maxOutputBytes ?? 16 * 1024 * 1024,
    backstopGraceMs: options.backstopGraceMs ?? 1500,
    secretForms: secretForms([...credentialValues(process.env), ...(options.secrets ?? [])]),
  };
  // The tmpfs size is handed to mount as whole MiB: anything else would be read as another size.
  if (!(Number.isInteger(settings.diskMb) && settings.diskMb > 0))
    throw new RangeError(`diskMb must be a positive whole number of MiB, not ${settings.diskMb}`);
  return settings;
}
