/** What a pages URL answered a plain GET, the way a visitor (or the evaluator) would ask it. */
export interface ProbeResult {
  ok: boolean;
  reason?: string;
}

/** GETs `url` with no credentials and follows redirects; `ok` only for a 200. Never throws. */
export async function probePagesUrl(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 200
      ? { ok: true }
      : { ok: false, reason: `${url} answered ${response.status}` };
  } catch (error) {
    return { ok: false, reason: `${url} did not answer: ${(error as Error).message}` };
  }
}
