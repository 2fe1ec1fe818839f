/**
 * A sandbox runner in a process of its own, as the sandbox Lambda holds one: started by
 * `process-level-runner.ts` under an unprivileged uid with credentials in its launch environment.
 * Reads one JSON job per line on stdin, answers one JSON result per line on stdout.
 */
import { createInterface } from 'node:readline';
import type { ContainmentLevel } from '../../shared/adapters/sandbox/index.js';
import { createLocalSandboxRunner } from '../../shared/adapters/sandbox/index.js';
import type { SandboxJob } from '../../shared/ports/sandbox-runner.js';

const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

try {
  const runner = await createLocalSandboxRunner({
    level: (process.env.TE_CHILD_LEVEL ?? 'process') as ContainmentLevel,
    ...(process.env.TE_CHILD_WORK_ROOT ? { workRoot: process.env.TE_CHILD_WORK_ROOT } : {}),
  });
  send({ ready: runner.capabilities(), pid: process.pid, uid: process.getuid?.() });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const { id, job } = JSON.parse(line) as { id: number; job: SandboxJob };
    runner.run(job).then(
      (result) => send({ id, result }),
      (error: unknown) => send({ id, error: String(error) }),
    );
  });
  lines.on('close', () => process.exit(0));
} catch (error) {
  send({ error: String(error) });
  process.exit(1);
}
