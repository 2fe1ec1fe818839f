import { randomBytes } from 'node:crypto';
import { NotFoundError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { SessionStatus, StoredCandidate } from '../domain/types.js';
import type { SessionStore } from '../ports/session-store.js';
import type { UserStore } from '../ports/user-store.js';
import { ownedSession } from './session-access.js';

/** 18 random bytes, 24 URL-safe characters: a link is found by being given, never by guessing. */
const TOKEN_BYTES = 18;
const TOKEN = /^[A-Za-z0-9_-]{24}$/;
/** Content inline while it fits a Lambda response (6 MB, escaped once more); else by presigned URL. */
const MAX_INLINE_BYTES = 5 * 1024 * 1024;
const URL_EXPIRY_S = 3600;

export interface ShareDeps {
  store: SessionStore;
  users: Pick<UserStore, 'putShare' | 'getShare' | 'deleteShare'>;
}

/** The read-only view a share link shows: code, verdicts and the diff, nothing of providers or internals. */
export interface SharedView {
  filename: string;
  status: SessionStatus;
  createdAt: string;
  rounds: number;
  original: string | null;
  originalUrl?: string;
  winner: {
    index: number;
    durationMs: number;
    code: string | null;
    diff: string | null;
    codeUrl?: string;
    diffUrl?: string;
  } | null;
  baseline: { status: string; durationMs: number | null } | null;
  candidates: Array<{
    index: number;
    round: number;
    status: string;
    durationMs: number | null;
    changedLines: number;
  }>;
}

/** Shares the caller's session: the token it already has, or a new one. */
export async function shareSession(
  deps: ShareDeps,
  principal: Principal,
  sessionId: string,
): Promise<{ token: string; path: string }> {
  const meta = await ownedSession(deps.store, principal, sessionId);
  if (meta.shareToken) return { token: meta.shareToken, path: `/s/${meta.shareToken}` };
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  // The link item first, then the session says it is shared: a link is never shown that does not work.
  await deps.users.putShare(token, {
    sessionId,
    owner: principal.userId,
    createdAt: new Date().toISOString(),
  });
  await deps.store.setShareToken(sessionId, token);
  return { token, path: `/s/${token}` };
}

/** Stops sharing: from the link item's deletion on, the link answers 404. */
export async function unshareSession(
  deps: ShareDeps,
  principal: Principal,
  sessionId: string,
): Promise<void> {
  const meta = await ownedSession(deps.store, principal, sessionId);
  if (!meta.shareToken) return;
  await deps.users.deleteShare(meta.shareToken);
  await deps.store.setShareToken(sessionId, undefined);
}

const notShared = () => new NotFoundError('this link is not shared');

/** What a share link shows anyone who has it; a revoked or unknown token is a NotFoundError. */
export async function getSharedView(deps: ShareDeps, token: string): Promise<SharedView> {
  if (!TOKEN.test(token)) throw notShared();
  const share = await deps.users.getShare(token);
  if (!share) throw notShared();
  const meta = await deps.store.getMeta(share.sessionId);
  // Both must agree: a link whose session no longer names it was revoked, whatever was left behind.
  if (!meta || meta.shareToken !== token) throw notShared();
  const [summaries, original, winner] = await Promise.all([
    deps.store.listSummaries(meta.sessionId),
    deps.store.getCandidate(meta.sessionId, 0),
    meta.winner ? deps.store.getCandidate(meta.sessionId, meta.winner.index) : Promise.resolve(undefined),
  ]);
  let budget = MAX_INLINE_BYTES;
  const inline = (text: string | null | undefined): string | null | false => {
    if (text === null || text === undefined) return null;
    const bytes = Buffer.byteLength(JSON.stringify(JSON.stringify(text)));
    if (bytes > budget) return false;
    budget -= bytes;
    return text;
  };
  const presign = (index: number, part: 'code' | 'diff') =>
    deps.store.presignCandidate(meta.sessionId, index, part, URL_EXPIRY_S);
  const view: SharedView = {
    filename: meta.filename,
    status: meta.status,
    createdAt: meta.createdAt,
    rounds: meta.rounds,
    original: null,
    winner: null,
    baseline: null,
    candidates: [],
  };
  const originalText = inline(original?.code);
  if (originalText === false) view.originalUrl = await presign(0, 'code');
  else view.original = originalText;
  if (meta.winner && winner) {
    const code = inline(winner.code);
    const diff = inline(winner.diff);
    view.winner = {
      index: meta.winner.index,
      durationMs: meta.winner.durationMs,
      code: code === false ? null : code,
      diff: diff === false ? null : diff,
      ...(code === false ? { codeUrl: await presign(winner.index, 'code') } : {}),
      ...(diff === false ? { diffUrl: await presign(winner.index, 'diff') } : {}),
    };
  }
  const verdict = (record: Pick<StoredCandidate, 'result'>) => ({
    status: record.result?.status ?? 'pending',
    durationMs: record.result?.durationMs ?? null,
  });
  const baseline = summaries.find((record) => record.index === 0);
  view.baseline = baseline ? verdict(baseline) : null;
  view.candidates = summaries
    .filter((record) => record.index > 0)
    .map((record) => ({
      index: record.index,
      round: record.round,
      changedLines: record.changedLines,
      ...verdict(record),
    }));
  return view;
}
