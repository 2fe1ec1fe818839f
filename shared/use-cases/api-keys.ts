import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { apiKeyHash, lastFour, newApiKey } from '../domain/api-key.js';
import { ForbiddenError, InvalidRequestError, NotFoundError } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { UserStore } from '../ports/user-store.js';

/** Keys a user may hold at once: enough for every machine, few enough to review. */
export const MAX_KEYS_PER_USER = 20;

const createKeySchema = z.object({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, 'name is required')
    .max(100, 'name is at most 100 characters'),
});

export interface ApiKeyView {
  keyId: string;
  name: string;
  createdAt: string;
  lastFour: string;
}

/**
 * Makes an API key for the caller. Only a signed-in person (an ID token) may: a key that could make
 * keys would outlive its own revocation. The key is returned this once; the table keeps its hash.
 */
export async function createApiKey(
  users: Pick<UserStore, 'putApiKey' | 'listApiKeys'>,
  principal: Principal,
  body: unknown,
): Promise<ApiKeyView & { key: string }> {
  if (principal.via !== 'token')
    throw new ForbiddenError('API keys are made by a signed-in user, not by a key');
  const parsed = createKeySchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidRequestError(issue?.message ?? 'invalid', String(issue?.path[0] ?? 'name'));
  }
  if ((await users.listApiKeys(principal.userId)).length >= MAX_KEYS_PER_USER) {
    throw new InvalidRequestError(`you hold ${MAX_KEYS_PER_USER} keys already: revoke one first`, 'name');
  }
  const key = newApiKey();
  const record = {
    keyId: randomUUID(),
    userId: principal.userId,
    name: parsed.data.name,
    createdAt: new Date().toISOString(),
    lastFour: lastFour(key),
    hash: apiKeyHash(key),
  };
  await users.putApiKey(record);
  return {
    keyId: record.keyId,
    name: record.name,
    createdAt: record.createdAt,
    lastFour: record.lastFour,
    key,
  };
}

export async function listApiKeys(
  users: Pick<UserStore, 'listApiKeys'>,
  principal: Principal,
): Promise<{ keys: ApiKeyView[] }> {
  const keys = await users.listApiKeys(principal.userId);
  return { keys: keys.map(({ keyId, name, createdAt, lastFour }) => ({ keyId, name, createdAt, lastFour })) };
}

export async function revokeApiKey(
  users: Pick<UserStore, 'deleteApiKey'>,
  principal: Principal,
  keyId: string,
): Promise<void> {
  if (principal.via !== 'token')
    throw new ForbiddenError('API keys are revoked by a signed-in user, not by a key');
  if (!/^[0-9a-f-]{36}$/.test(keyId) || !(await users.deleteApiKey(principal.userId, keyId))) {
    throw new NotFoundError('no such key');
  }
}
