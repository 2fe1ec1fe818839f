import type { ProblemKind } from '../domain/sandbox-policy.js';
import type { RunResult } from '../domain/types.js';

/** One run of untrusted code. The runner owns the work dir; nothing outside `files` is visible to the code. */
export interface SandboxJob {
  /** File name → contents, written into a fresh private work dir. Names are plain (no slashes). */
  files: Record<string, string>;
  /** The file run as `python <entry>` in the work dir. */
  entry: string;
  /** Files holding untrusted candidate code, checked by the pre-flight policy before anything runs. */
  checked: string[];
  /** Wall-clock limit; the whole process tree is killed when it passes. */
  timeoutMs: number;
  /** Which policy checks the `checked` files; the runner's default kind (`fix`) when absent. */
  kind?: ProblemKind;
  /**
   * The client's original program. What it already uses (a blocked import, `eval`, a path…) is
   * allowed in the checked files, by the policy and by the run-time guard, and listed in the
   * result's `allowed`; anything new is checked as usual. The original itself then passes the
   * policy: it is the client's own code. Never written into the work dir.
   */
  original?: string;
  /**
   * Files the program is to leave in its work dir, read back after a run that exited 0 (a regular
   * file, never followed through a link, at most `maxBytes`) into the result's `collected`.
   */
  collect?: Array<{ name: string; maxBytes: number }>;
}

/** What containment this runner applies, for `/health` and the bench. */
export interface SandboxCapabilities {
  level: string;
  layers: string[];
  interpreter: string;
}

/** The containment a run had, as measured by the runner: returned with every result. */
export interface RunContainment {
  level: string;
  layers: string[];
}

/** Port: runs code in isolation and returns a verdict. Never throws for anything the code does. */
export interface SandboxRunner {
  run(job: SandboxJob): Promise<RunResult>;
  capabilities(): SandboxCapabilities;
}
