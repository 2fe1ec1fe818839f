import type { TransformView } from '../../shared/kinds/transform/use-cases/get-transform.js';

/** Polls GET /v1/transforms/{jobId} until the job ends, as an API client would. */
export async function waitForTransform(
  httpUrl: string,
  jobId: string,
  timeoutMs: number,
): Promise<TransformView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = (await (await fetch(`${httpUrl}/v1/transforms/${jobId}`)).json()) as TransformView;
    if (['verified', 'no_fix', 'failed'].includes(view.status)) return view;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${view.status}`);
    await new Promise((done) => setTimeout(done, 300));
  }
}
