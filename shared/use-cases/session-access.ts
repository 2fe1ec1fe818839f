import { UnknownSessionError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { SessionMeta } from '../domain/types.js';
import type { SessionStore } from '../ports/session-store.js';

/**
 * Whether the caller may read, follow and share a session: a fix session is its owner's alone; an
 * evaluator task round, whose site is published for anyone anyway, any signed-in user may follow.
 */
export function mayAccess(principal: Principal, meta: SessionMeta): boolean {
  if (meta.kind === 'task') return true;
  return meta.owner !== undefined && meta.owner === principal.userId;
}

/**
 * The session, if the caller may see it. Another user's session answers exactly as a session that
 * does not exist (404, not 403): ids are not confirmed to strangers.
 */
export async function accessibleSession(
  store: Pick<SessionStore, 'getMeta'>,
  principal: Principal,
  sessionId: string,
): Promise<SessionMeta> {
  const meta = await store.getMeta(sessionId);
  if (!meta || !mayAccess(principal, meta)) throw new UnknownSessionError(sessionId);
  return meta;
}

/** As accessibleSession, for what only the owner may do (sharing): a task round has no owner. */
export async function ownedSession(
  store: Pick<SessionStore, 'getMeta'>,
  principal: Principal,
  sessionId: string,
): Promise<SessionMeta> {
  const meta = await store.getMeta(sessionId);
  if (!meta || meta.owner === undefined || meta.owner !== principal.userId) {
    throw new UnknownSessionError(sessionId);
  }
  return meta;
}
