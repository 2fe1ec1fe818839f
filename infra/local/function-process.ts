import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FUNCTION_HOST = fileURLToPath(new URL('./function-host.ts', import.meta.url));
// The TypeScript loader the host needs, found from here rather than from the working directory.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** An error a hosted function threw, rebuilt on this side with its name (the state machine's `Error`). */
export class FunctionInvocationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Answer {
  type: 'result' | 'chunk';
  id: number;
  value?: unknown;
  error?: { name: string; message: string };
  /** A streaming function's write, base64. */
  data?: string;
}

/** Functions running in a process of their own (function-host.ts), invoked over IPC. */
export class FunctionProcess {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;
  /** Where each streaming invocation's writes go, by invocation id. */
  private readonly streams = new Map<number, (chunk: Buffer) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly names: string[],
    /** The sandbox's containment, when the process hosts the sandbox function. */
    readonly containment: string | undefined,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: Answer) => {
      if (message.type === 'chunk') {
        this.streams.get(message.id)?.(Buffer.from(message.data ?? '', 'base64'));
        return;
      }
      if (message.type !== 'result') return;
      this.streams.delete(message.id);
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error)
        waiting?.reject(new FunctionInvocationError(message.error.name, message.error.message));
      else waiting?.resolve(message.value);
    });
    child.once('exit', (code, signal) => {
      const error = new FunctionInvocationError(
        'Lambda.ServiceException',
        `the process of ${this.names.join(', ')} exited (${signal ?? code})`,
      );
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  /**
   * Starts a process hosting the named functions, with this process's environment (their config);
   * resolves once they are loaded (for the sandbox, once its capability probe is done). `nice`
   * (0–19) lowers the process's CPU priority, and that of everything it starts.
   */
  static async start(names: string[], options: { nice?: number } = {}): Promise<FunctionProcess> {
    const child = fork(FUNCTION_HOST, names, {
      execArgv: ['--import', TSX_LOADER],
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (options.nice !== undefined && child.pid !== undefined) {
      try {
        setPriority(child.pid, options.nice);
      } catch {
        // not allowed here: it runs at the stack's priority
      }
    }
    const containment = await new Promise<string | undefined>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`the ${names.join(', ')} process exited (${signal ?? code}) before it was ready`)),
      );
      child.on('message', (message: { type?: string; containment?: string }) => {
        if (message.type === 'ready') resolve(message.containment);
      });
    });
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    return new FunctionProcess(child, names, containment);
  }

  /** Invokes a streaming function: `onChunk` gets each write as it is made; resolves when the handler is done. */
  invokeStream(name: string, payload: unknown, onChunk: (chunk: Buffer) => void): Promise<unknown> {
    const call = this.invoke(name, payload);
    this.streams.set(this.next, onChunk);
    return call;
  }

  invoke(name: string, payload: unknown): Promise<unknown> {
    if (!this.child.connected) {
      return Promise.reject(
        new FunctionInvocationError('Lambda.ServiceException', `the process of ${name} is gone`),
      );
    }
    this.next += 1;
    const id = this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A process that died a moment ago still looks connected until its exit is seen: the send
      // then fails (EPIPE), which fails this invocation, as Lambda fails one whose sandbox died,
      // and never the stack (an unheard send error would be an unhandled 'error' event).
      this.child.send({ type: 'invoke', id, name, payload }, (error) => {
        if (!error || !this.pending.has(id)) return;
        this.pending.delete(id);
        reject(
          new FunctionInvocationError(
            'Lambda.ServiceException',
            `the process of ${name} is gone: ${error.message}`,
          ),
        );
      });
    });
  }

  /** The host process's pid. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Lets running invocations finish, then ends the process. */
  async close(): Promise<void> {
    // A host that is already gone has nothing to close: the failed send is that news, not an error.
    if (this.child.connected) this.child.send({ type: 'close' }, () => undefined);
    await this.exited;
  }
}
