import type { WebClient, WebResponse } from '../../ports/web-client.js';

/** At most this much of an answer is read: a published file, or an evaluator's reply. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** The web client on the runtime's own `fetch` (Node 20 locally, 22 in Lambda). */
export function createFetchWebClient(): WebClient {
  return {
    async get(url, timeoutMs) {
      const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
      return answer(response);
    },
    async postJson(url, body, timeoutMs) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs),
      });
      return answer(response);
    },
  };
}

async function answer(response: Response): Promise<WebResponse> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    return { status: response.status, body: Buffer.alloc(0) };
  }
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, body: body.subarray(0, MAX_BODY_BYTES) };
}
