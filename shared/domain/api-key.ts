import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keys say what they are: a bearer credential starting `te_` is a key, anything else a token. */
export const API_KEY_PREFIX = 'te_';
/** 32 random bytes: a key is guessed no sooner than a 256-bit secret. */
const KEY_BYTES = 32;
const API_KEY = /^te_[A-Za-z0-9_-]{43}$/;

export const isApiKeyShaped = (credential: string): boolean => credential.startsWith(API_KEY_PREFIX);
export const isWellFormedApiKey = (credential: string): boolean => API_KEY.test(credential);

/** A new key, shown to its owner once; only its hash is kept. */
export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
}

/** The stored form: SHA-256 suffices for a high-entropy key (no dictionary to run), hex. */
export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hashes in constant time (both are hex SHA-256; a length mismatch is simply false). */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The last four characters, which is all a listing ever shows of a key. */
export const lastFour = (key: string): string => key.slice(-4);
