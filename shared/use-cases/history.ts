import { z } from 'zod';
import { InvalidRequestError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import { isSessionId } from '../domain/session-id.js';
import type { SessionKind, SessionStatus } from '../domain/types.js';
import type { SessionCursor, SessionStore } from '../ports/session-store.js';

export interface HistoryItem {
  sessionId: string;
  kind: SessionKind;
  status: SessionStatus;
  filename: string;
  createdAt: string;
  updatedAt: string;
  shared: boolean;
}

const querySchema = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be 1 to 100')
    .max(100, 'limit must be 1 to 100')
    .default(20),
  cursor: z.string().max(512, 'cursor is not one this API gave').optional(),
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** The cursor is opaque to clients: the last item's time and id, base64url JSON. */
export function encodeCursor(cursor: SessionCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.sessionId]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): SessionCursor {
  const refused = () => new InvalidRequestError('cursor is not one this API gave', 'cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw refused();
  const [createdAt, sessionId] = parsed as unknown[];
  if (typeof createdAt !== 'string' || !ISO_TIME.test(createdAt)) throw refused();
  if (typeof sessionId !== 'string' || !isSessionId(sessionId)) throw refused();
  return { createdAt, sessionId };
}

/** "My snippets": the caller's sessions newest first, a page at a time (GET /v1/fixes?mine). */
export async function listMySessions(
  store: Pick<SessionStore, 'listOwned'>,
  principal: Principal,
  query: Record<string, string | undefined>,
): Promise<{ items: HistoryItem[]; cursor?: string }> {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidRequestError(issue?.message ?? 'invalid', String(issue?.path[0] ?? 'query'));
  }
  const { limit, cursor } = parsed.data;
  const page = await store.listOwned(principal.userId, {
    limit,
    ...(cursor === undefined ? {} : { after: decodeCursor(cursor) }),
  });
  return {
    items: page.items.map((meta) => ({
      sessionId: meta.sessionId,
      kind: meta.kind ?? 'fix',
      status: meta.status,
      filename: meta.filename,
      createdAt: meta.createdAt,
      updatedAt: meta.updatedAt,
      shared: meta.shareToken !== undefined,
    })),
    ...(page.next ? { cursor: encodeCursor(page.next) } : {}),
  };
}
