/**
 * How long a provider asked us to wait, in ms. Accepts `retry-after-ms` (OpenAI-style), `retry-after`
 * as seconds or as an HTTP date. Undefined when absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(
  headers: { retryAfter?: string | null; retryAfterMs?: string | null },
  now: number = Date.now(),
): number | undefined {
  const ms = headers.retryAfterMs?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.round(Number(ms));
  const value = headers.retryAfter?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Gemini puts its wait in the error body (`google.rpc.RetryInfo`, `"retryDelay": "12s"`) rather than
 * always in a header.
 */
export function parseRetryDelayFromBody(body: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body);
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
