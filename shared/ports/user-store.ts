import type { Principal } from '../domain/principal.js';

/** An API key as its listing keeps it: never the key, only its hash and last four characters. */
export interface ApiKeyRecord {
  keyId: string;
  userId: string;
  name: string;
  createdAt: string;
  lastFour: string;
  hash: string;
}

export interface ShareRecord {
  sessionId: string;
  owner: string;
  createdAt: string;
}

/** Port: what the engine keeps of its users — allowances, daily counters, API keys, share links, connections. */
export interface UserStore {
  /** The user's own daily allowance, when the table sets one (else the deployment's default applies). */
  getAllowance(userId: string): Promise<number | undefined>;
  setAllowance(userId: string, allowance: number): Promise<void>;
  /** Units taken on `day` so far (held by sessions in flight, or consumed by verified ones). */
  usedOn(userId: string, day: string): Promise<number>;
  /**
   * Takes one unit of `day`'s allowance atomically (a conditional update on the day's counter):
   * false when `allowance` units are already taken.
   */
  takeQuota(userId: string, day: string, allowance: number): Promise<boolean>;
  /** Gives one unit of `day` back (never below zero). */
  returnQuota(userId: string, day: string): Promise<void>;
  putApiKey(record: ApiKeyRecord): Promise<void>;
  /** The key whose hash this is, or undefined (revoked or never made). */
  findApiKey(hash: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(userId: string): Promise<ApiKeyRecord[]>;
  /** Revokes one of the user's keys; false when they have no such key. */
  deleteApiKey(userId: string, keyId: string): Promise<boolean>;
  putShare(token: string, record: ShareRecord): Promise<void>;
  getShare(token: string): Promise<ShareRecord | undefined>;
  deleteShare(token: string): Promise<void>;
  /** Binds a WebSocket connection to the user its `$connect` proved, until `$disconnect`. */
  bindConnection(connectionId: string, principal: Principal): Promise<void>;
  connectionPrincipal(connectionId: string): Promise<Principal | undefined>;
  dropConnection(connectionId: string): Promise<void>;
}
