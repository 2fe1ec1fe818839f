/**
 * A browser runner in a process of its own, as the sandbox Lambda holds one: started by
 * `browser-process-level.ts` under an unprivileged uid. Reads one JSON job per line on stdin (file
 * contents in base64), answers one JSON result per line on stdout.
 */
import { createInterface } from 'node:readline';
import {
  type BrowserContainmentLevel,
  createBrowserRunner,
} from '../../shared/adapters/sandbox/browser/index.js';
import type { BrowserJob } from '../../shared/ports/browser-runner.js';

interface WireJob extends Omit<BrowserJob, 'files'> {
  files: Array<{ path: string; base64: string }>;
}

const send = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

try {
  const level = process.env.TE_CHILD_LEVEL as BrowserContainmentLevel | undefined;
  const runner = await createBrowserRunner({
    ...(level ? { level } : {}),
    ...(process.env.TE_CHILD_WORK_ROOT ? { workRoot: process.env.TE_CHILD_WORK_ROOT } : {}),
  });
  send({ ready: runner.capabilities(), pid: process.pid, uid: process.getuid?.() });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const { id, job } = JSON.parse(line) as { id: number; job: WireJob };
    const files = job.files.map((f) => ({ path: f.path, content: Buffer.from(f.base64, 'base64') }));
    runner.run({ ...job, files }).then(
      (result) => send({ id, result }),
      (error: unknown) => send({ id, error: String(error) }),
    );
  });
  lines.on('close', () => {
    void runner.close().finally(() => process.exit(0));
  });
} catch (error) {
  send({ error: String(error) });
  process.exit(1);
}
