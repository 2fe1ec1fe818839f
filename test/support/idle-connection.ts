import { Agent, request } from 'node:http';

/**
 * Sends two requests over one keep-alive connection `idleMs` apart and reports the local port of
 * each: the same port means the server kept the idle connection open, as AWS endpoints do.
 */
export async function portsAcrossIdle(
  url: string,
  idleMs: number,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<[number, number]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        { agent, method: options.method ?? 'GET', headers: options.headers },
        (response) => {
          const port = response.socket.localPort ?? -1;
          response.resume();
          response.once('end', () => resolve(port));
        },
      );
      req.once('error', reject);
      req.end(options.body);
    });
  try {
    const first = await once();
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    return [first, await once()];
  } finally {
    agent.destroy();
  }
}
