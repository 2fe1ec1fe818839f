import { QuotaExceededError } from '../domain/errors.js';
import { type QuotaHold, type QuotaView, quotaDay, quotaResetsAt } from '../domain/quota.js';
import type { SessionMeta, SessionStatus } from '../domain/types.js';
import type { SessionStore } from '../ports/session-store.js';
import type { UserStore } from '../ports/user-store.js';

export interface QuotaDeps {
  users: Pick<UserStore, 'getAllowance' | 'usedOn' | 'takeQuota' | 'returnQuota'>;
  /** The deployment's daily allowance for users the table gives none of their own. */
  defaultAllowance: number;
  now?: () => Date;
}

async function allowanceOf(deps: QuotaDeps, userId: string): Promise<number> {
  return (await deps.users.getAllowance(userId)) ?? deps.defaultAllowance;
}

/** The user's allowance today, what is taken of it, and when it resets (GET /v1/me). */
export async function readQuota(deps: QuotaDeps, userId: string): Promise<QuotaView> {
  const now = deps.now?.() ?? new Date();
  const [allowance, used] = await Promise.all([
    allowanceOf(deps, userId),
    deps.users.usedOn(userId, quotaDay(now)),
  ]);
  return {
    allowance,
    used,
    remaining: Math.max(0, allowance - used),
    resetsAt: quotaResetsAt(now).toISOString(),
  };
}

/**
 * Takes one unit of today's allowance for a new session, or throws QuotaExceededError. The unit is
 * held while the session runs, so sessions started together can never verify more than the
 * allowance; `settleQuota` keeps it for a verified session and gives it back otherwise.
 */
export async function takeSessionQuota(deps: QuotaDeps, userId: string): Promise<QuotaHold> {
  const now = deps.now?.() ?? new Date();
  const day = quotaDay(now);
  const allowance = await allowanceOf(deps, userId);
  if (!(await deps.users.takeQuota(userId, day, allowance))) {
    throw new QuotaExceededError(allowance, quotaResetsAt(now));
  }
  return { day, state: 'held' };
}

/**
 * The unit of a session about to end with `status`: a verified session consumes it; any other end
 * gives it back to the day it was taken from. Called before the session's final write, so a client
 * that sees the result also sees its allowance; the session's own conditional write decides first,
 * so a retried step never gives a unit back twice.
 */
export async function settleQuota(
  deps: { store: Pick<SessionStore, 'settleQuota'>; users: Pick<UserStore, 'returnQuota'> },
  meta: SessionMeta,
  status: SessionStatus,
): Promise<void> {
  if (!meta.owner || meta.quota?.state !== 'held') return;
  const to = status === 'verified' ? 'consumed' : 'returned';
  const settled = await deps.store.settleQuota(meta.sessionId, to);
  if (settled && to === 'returned') await deps.users.returnQuota(meta.owner, meta.quota.day);
}
