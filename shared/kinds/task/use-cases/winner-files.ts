import type { SessionMeta } from '../../../domain/types.js';
import type { SessionStore } from '../../../ports/session-store.js';
import { decodeSiteBundle, type SiteFile } from '../site.js';

/** The judged winner's site, as it was checked in the browser. */
export async function winnerFiles(store: SessionStore, meta: SessionMeta): Promise<SiteFile[]> {
  if (!meta.winner) throw new Error(`task session ${meta.sessionId} has no winning site`);
  const record = await store.getCandidate(meta.sessionId, meta.winner.index);
  if (!record?.code) throw new Error(`the winning site of ${meta.sessionId} has expired`);
  return decodeSiteBundle(record.code);
}
