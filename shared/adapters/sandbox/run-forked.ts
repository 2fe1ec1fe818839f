import type { Socket } from 'node:net';
import type { ForkRequest, ForkServer } from './fork-server.js';
import { collectRun, type ProcessOutcome, type ProcessRequest, type RunEnd } from './run-process.js';

/**
 * The same run as runProcess, started by the warm interpreter: the job process is what the spawn
 * would have been (its own session, the same four fds, cwd, environment and command), so the
 * collector, caps, backstop and group kill are the same code.
 */
export async function runForked(
  server: ForkServer,
  fork: Omit<ForkRequest, 'stdin'>,
  request: Omit<ProcessRequest, 'command' | 'cwd' | 'env'>,
): Promise<ProcessOutcome> {
  const started = performance.now();
  let job: Awaited<ReturnType<ForkServer['start']>>;
  try {
    job = await server.start({ ...fork, stdin: request.stdin !== undefined });
  } catch (error) {
    const ended = Promise.resolve<RunEnd>({
      exitCode: null,
      signal: null,
      spawnError: (error as Error).message,
    });
    return collectRun(
      request,
      { stdout: null, stderr: null, report: null, ended, killGroup: () => {} },
      started,
    );
  }
  const { pid } = job;
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
  };
  // As a child's 'close': the process has ended and every stream it wrote has closed.
  const ended = Promise.all([job.ended, closed(job.stdout), closed(job.stderr), closed(job.report)]).then(
    ([end]) => {
      job.stdin?.destroy();
      return end;
    },
  );
  // Nothing is read from stdin; flowing, it closes when the run closes its end.
  job.stdin?.resume();
  return collectRun(
    request,
    {
      stdout: job.stdout,
      stderr: job.stderr,
      report: job.report,
      stdin: job.stdin ?? null,
      ended,
      killGroup,
    },
    started,
  );
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}
