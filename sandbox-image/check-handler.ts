/**
 * The handler `npm run sandbox:image-check` runs inside the built image (mounted read-only beside
 * the real one, never part of the image or the stack): one sandbox job per invocation, through
 * the image's own Node runtime, Python, libseccomp binding and preload, as the Lambda user.
 */
import { createLocalSandboxRunner } from '../shared/adapters/sandbox/index.js';
import type { RunResult } from '../shared/domain/types.js';
import type { SandboxCapabilities, SandboxJob } from '../shared/ports/sandbox-runner.js';

const runner = await createLocalSandboxRunner({
  ...(process.env.SANDBOX_PYTHON ? { pythonPath: process.env.SANDBOX_PYTHON } : {}),
});

export async function handler(event: {
  job: SandboxJob;
}): Promise<{ capabilities: SandboxCapabilities; result: RunResult; uid: number | undefined }> {
  return {
    capabilities: runner.capabilities(),
    result: await runner.run(event.job),
    uid: process.getuid?.(),
  };
}
