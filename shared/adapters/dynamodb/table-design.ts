/**
 * The one table's keys and indexes, said once: the CDK stack builds the AWS table from this and the
 * local stack builds dynalite's, so the two cannot drift. Every key attribute holds a string, and
 * every index projects all attributes. In AWS a TTL on `expiresAtEpoch` sweeps the rate-limit
 * counters (`AUTHFAIL#…`, epoch seconds); the idempotency items' `expiresAt` (an ISO string) is
 * their own, honoured by the conditional write.
 * dynalite has no TTL: locally the counters stay, and reads only ever look at the current window.
 */
export interface IndexDesign {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export interface TableDesign {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly IndexDesign[];
  /** The Number attribute (epoch seconds) DynamoDB's TTL deletes items by. */
  readonly timeToLive: string;
}

/** Lists every session newest first (`SESSIONS` / createdAt), for the local stack's recovery. */
export const HISTORY_INDEX: IndexDesign = { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' };
/** Lists one user's sessions newest first (`OWNER#<userId>` / createdAt#sessionId): "my snippets". */
export const OWNER_INDEX: IndexDesign = { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' };

export const TABLE_DESIGN: TableDesign = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [HISTORY_INDEX, OWNER_INDEX],
  timeToLive: 'expiresAtEpoch',
};
