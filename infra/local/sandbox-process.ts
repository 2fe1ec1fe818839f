import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SANDBOX_HOST = fileURLToPath(new URL('./sandbox-host.ts', import.meta.url));
// The TypeScript loader the host needs, found from here rather than from the working directory.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** An error the sandbox function threw, rebuilt on this side with its name (the state machine's `Error`). */
export class SandboxInvocationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Answer {
  type: 'result';
  id: number;
  value?: unknown;
  error?: { name: string; message: string };
}

/** The sandbox function, running in its own process (sandbox-host.ts) and invoked over IPC. */
export class SandboxProcess {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly containment: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: Answer) => {
      if (message.type !== 'result') return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error)
        waiting?.reject(new SandboxInvocationError(message.error.name, message.error.message));
      else waiting?.resolve(message.value);
    });
    child.once('exit', (code, signal) => {
      const error = new SandboxInvocationError(
        'Lambda.ServiceException',
        `the sandbox function's process exited (${signal ?? code})`,
      );
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  /** Starts the process with this process's environment; resolves once its capability probe is done. */
  static async start(): Promise<SandboxProcess> {
    const child = fork(SANDBOX_HOST, [], {
      execArgv: ['--import', TSX_LOADER],
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const containment = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`the sandbox function's process exited (${signal ?? code}) before it was ready`)),
      );
      child.on('message', (message: { type?: string; containment?: string }) => {
        if (message.type === 'ready') resolve(String(message.containment));
      });
    });
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    return new SandboxProcess(child, containment);
  }

  invoke(payload: unknown): Promise<unknown> {
    if (!this.child.connected) {
      return Promise.reject(
        new SandboxInvocationError('Lambda.ServiceException', "the sandbox function's process is gone"),
      );
    }
    this.next += 1;
    const id = this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ type: 'invoke', id, payload });
    });
  }

  /** Lets running invocations finish, then ends the process. */
  async close(): Promise<void> {
    if (this.child.connected) this.child.send({ type: 'close' });
    await this.exited;
  }
}
