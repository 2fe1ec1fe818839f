/**
 * Session ids are UUIDs, but anything that could be one of ours is accepted: letters, digits and
 * dashes, at most 64. Anything else cannot name a session, so it is not found without a lookup
 * (and never reaches the table as an oversized or malformed key).
 */
const SESSION_ID = /^[A-Za-z0-9-]{1,64}$/;

export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}
