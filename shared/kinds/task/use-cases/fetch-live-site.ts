import { MAX_INLINE_PIECE_BYTES, type SiteInvocation } from '../../../domain/sandbox-job.js';
import { publishSessionEvent } from '../../../use-cases/session-events.js';
import { type DeliveryDeps, loadDelivering } from '../delivery.js';
import { encodeSiteBundle, type SiteFile } from '../site.js';
import { executableChecks, type TaskHarness } from '../task-harness.js';
import { HARNESS_ARTIFACT } from './prepare-task-round.js';
import { winnerFiles } from './winner-files.js';

/** The site as the pages URL served it, kept with the session for the sandbox to read. */
export const LIVE_SITE_ARTIFACT = 'live-site.json';
const URL_EXPIRY_S = 3600;
/** Files fetched at once from the pages URL. */
const FETCH_CONCURRENCY = 6;

export interface LiveSite extends SiteInvocation {
  /** Published files the pages URL did not serve byte for byte. */
  mismatched: string[];
}

/**
 * Fetches every file of the published site from its pages URL, as a visitor's browser would, and
 * hands what was served to the sandbox's browser with the round's checks. The sandbox has no
 * network of its own, so the checks run on exactly the bytes the live site answered; a file it did
 * not serve (or served changed) is missing from that bundle and named in `mismatched`.
 */
export async function fetchLiveSite(deps: DeliveryDeps, input: { sessionId: string }): Promise<LiveSite> {
  const { meta, delivery } = await loadDelivering(deps.store, input.sessionId);
  const publication = delivery.publication;
  if (!publication) throw new Error(`task session ${input.sessionId} has not been published`);
  const [files, harnessText] = await Promise.all([
    winnerFiles(deps.store, meta),
    deps.store.getArtifact(input.sessionId, HARNESS_ARTIFACT),
  ]);
  if (harnessText === null) throw new Error(`task session ${input.sessionId} has no checks to run`);
  const harness = JSON.parse(harnessText) as TaskHarness;
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId: input.sessionId,
    stage: 'verifying-live',
    round: meta.rounds,
    message: `running the checks on ${publication.pagesUrl}`,
  });

  const base = publication.pagesUrl.endsWith('/') ? publication.pagesUrl : `${publication.pagesUrl}/`;
  const served: SiteFile[] = [];
  const mismatched: string[] = [];
  for (let start = 0; start < files.length; start += FETCH_CONCURRENCY) {
    const batch = files.slice(start, start + FETCH_CONCURRENCY);
    const answers = await Promise.all(
      batch.map(async (file) => {
        const url = new URL(file.path.split('/').map(encodeURIComponent).join('/'), base).toString();
        try {
          return await deps.web.get(url, deps.settings.liveFetchTimeoutMs);
        } catch {
          return undefined;
        }
      }),
    );
    batch.forEach((file, offset) => {
      const answer = answers[offset];
      if (answer?.status !== 200) {
        mismatched.push(`${file.path}: ${answer ? `HTTP ${answer.status}` : 'no answer'}`);
        return;
      }
      served.push({ path: file.path, content: answer.body });
      if (!answer.body.equals(file.content)) mismatched.push(`${file.path}: other content than committed`);
    });
  }

  const bundle = encodeSiteBundle(served);
  const bytes = Buffer.byteLength(bundle, 'utf8');
  let site: LiveSite['item']['site'];
  if (bytes <= MAX_INLINE_PIECE_BYTES) site = { text: bundle };
  else {
    await deps.store.putArtifact(input.sessionId, LIVE_SITE_ARTIFACT, bundle);
    site = {
      url: await deps.store.presignArtifact(input.sessionId, LIVE_SITE_ARTIFACT, URL_EXPIRY_S),
      bytes,
    };
  }
  return {
    item: {
      sessionId: input.sessionId,
      round: meta.rounds,
      // biome-ignore lint/style/noNonNullAssertion: winnerFiles has checked the winner
      index: meta.winner!.index,
      role: 'candidate',
      source: 'live',
      site,
    },
    run: { kind: 'site', checks: executableChecks(harness) },
    mismatched,
  };
}
