import { publishSessionEvent } from '../../../use-cases/session-events.js';
import { type DeliveryDeps, loadDelivering, saveDelivery } from '../delivery.js';
import type { PagesBuildStatus } from '../publisher.js';

export interface PagesCheck {
  status: PagesBuildStatus;
  live: boolean;
  /** Go on to the live check and the notification: live, failed for good, or out of time to wait. */
  proceed: boolean;
}

/**
 * One look at the published commit's Pages deployment (the state machine waits between looks, so
 * no function sleeps). The round goes on once the build of this commit is `built` and the pages URL
 * answers 200; it also goes on, saying so, when the build errored or waiting would leave too little
 * time to notify: the evaluator hears of the round in time either way.
 */
export async function checkPages(deps: DeliveryDeps, input: { sessionId: string }): Promise<PagesCheck> {
  const current = await loadDelivering(deps.store, input.sessionId);
  const publication = current.delivery.publication;
  if (!publication) throw new Error(`task session ${input.sessionId} has not been published`);
  const pages = await deps.publisher.pagesStatus({
    owner: publication.owner,
    repo: publication.repo,
    commitSha: publication.commitSha,
  });
  const now = deps.now?.() ?? Date.now();
  const outOfTime = now >= current.notifyBy - deps.settings.notifyReserveMs;
  const proceed = pages.live || pages.status === 'errored' || outOfTime;
  const unconfirmed = proceed && !pages.live;
  await saveDelivery(deps.store, current, {
    stage: proceed ? 'verifying-live' : 'waiting-for-pages',
    pages: {
      status: pages.status,
      live: pages.live,
      checkedAt: new Date(now).toISOString(),
      ...(pages.reason === undefined ? {} : { reason: pages.reason }),
    },
    ...(unconfirmed
      ? { reason: `Pages was not confirmed live (${pages.status}${pages.reason ? `: ${pages.reason}` : ''})` }
      : {}),
  });
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId: input.sessionId,
    stage: 'publishing',
    round: current.meta.rounds,
    message: pages.live
      ? `${publication.pagesUrl} is live`
      : unconfirmed
        ? `${publication.pagesUrl} is not confirmed live (${pages.status}); going on to notify in time`
        : `Pages is ${pages.status}${pages.reason ? `: ${pages.reason}` : ''}`,
  });
  return { status: pages.status, live: pages.live, proceed };
}
