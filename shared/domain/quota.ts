/**
 * The daily verification allowance. A day is a UTC calendar day: every user's counter resets at
 * the same instant, which the client is told (`resetsAt`, `Retry-After`).
 */
export const quotaDay = (now: Date): string => now.toISOString().slice(0, 10);

export function quotaResetsAt(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

export interface QuotaView {
  allowance: number;
  used: number;
  remaining: number;
  resetsAt: string;
}

/** What a session keeps of the unit it holds: taken when accepted, kept if verified, else given back. */
export interface QuotaHold {
  /** The UTC day whose counter the unit was taken from (a session may end on the next day). */
  day: string;
  state: 'held' | 'consumed' | 'returned';
}
