import { publishSessionEvent } from '../../../use-cases/session-events.js';
import { type DeliveryDeps, loadDelivering, recordedPublication, saveDelivery } from '../delivery.js';
import type { Publication, RepoRef } from '../publisher.js';
import { winnerFiles } from './winner-files.js';

/**
 * Publishes a judged round's winning site: one commit holding the whole site, in the task's
 * repository (round 1 makes it; a revise finds it on the previous round's record, never by name).
 *
 * 1. A publication already recorded (a retried state) is answered as it stands: nothing is pushed twice.
 * 2. The publisher (behind the secret scan) commits the site and turns Pages on.
 * 3. The publication is written to the session and to the round's record, then pushed as progress.
 */
export async function publishTaskRound(
  deps: DeliveryDeps,
  input: { sessionId: string },
): Promise<Publication> {
  const current = await loadDelivering(deps.store, input.sessionId);
  const { meta, delivery } = current;
  if (delivery.publication) return recordedPublication(delivery.publication);
  const { task, round, email, nonce } = meta.task;
  const files = await winnerFiles(deps.store, meta);
  // A revise publishes on top of the previous round's repository; a re-sent build on its own first one.
  const record = await deps.store.getTaskRoundRecord(task, round >= 2 ? round - 1 : round);
  const previous: RepoRef | undefined = record?.publication
    ? { owner: record.publication.owner, repo: record.publication.repo }
    : undefined;
  const publication = await deps.publisher.publish({
    task,
    round,
    email,
    files,
    description: `A static site for the ${task} task, built and checked in a browser by Truth Engine`,
    ...(previous ? { previous } : {}),
  });
  const publishedAt = new Date(deps.now?.() ?? Date.now()).toISOString();
  await saveDelivery(deps.store, current, {
    stage: 'waiting-for-pages',
    publication: { ...publication, publishedAt },
  });
  await deps.store.recordTaskRound(task, round, {
    sessionId: meta.sessionId,
    nonce,
    status: 'running',
    publication: recordedPublication(publication),
  });
  await publishSessionEvent(deps, {
    type: 'progress',
    sessionId: meta.sessionId,
    stage: 'publishing',
    round: meta.rounds,
    message: `committed ${publication.commitSha.slice(0, 7)} to ${publication.repoUrl}; waiting for ${publication.pagesUrl}`,
  });
  return publication;
}
