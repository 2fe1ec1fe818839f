import { execFile } from 'node:child_process';

/** Output larger than a site could ever be is a fault, not a read. */
const MAX_OUTPUT = 64 * 1024 * 1024;

export interface GitCall {
  /** The repository's `.git`: given explicitly, so git never searches parent folders for another. */
  gitDir: string;
  /** Needed only by commands that touch files (`reset --hard`). */
  workTree?: string;
  input?: Buffer | string;
  env?: Readonly<Record<string, string>>;
}

/** A git command that exited non-zero; `stderr` is git's own words. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | string | undefined,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} failed (${code}): ${stderr.trim().slice(0, 500)}`);
    this.name = 'GitCommandError';
  }
}

/**
 * Runs git with arguments, never a shell, and with none of the machine's git configuration or
 * environment: the same repository reads the same everywhere, and no `GIT_DIR` from the caller's
 * environment can point a command at another repository.
 */
export function git(args: readonly string[], call: GitCall): Promise<Buffer> {
  const location = [`--git-dir=${call.gitDir}`, ...(call.workTree ? [`--work-tree=${call.workTree}`] : [])];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...call.env,
  };
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...location, ...args],
      { encoding: 'buffer', maxBuffer: MAX_OUTPUT, env },
      (error, stdout, stderr) => {
        if (error) reject(new GitCommandError(args, error.code ?? undefined, stderr.toString('utf8')));
        else resolve(stdout);
      },
    );
    // A git that exits without reading its input closes the pipe (EPIPE); its exit status is what
    // tells whether the command worked, so the pipe's error is not one of ours.
    child.stdin?.on('error', () => {});
    child.stdin?.end(call.input ?? '');
  });
}

/** `git init` of a new repository whose branch is `main`. */
export async function gitInit(workTree: string): Promise<void> {
  await git(['init', '--quiet', '--initial-branch=main', workTree], { gitDir: `${workTree}/.git` });
}
