/**
 * The one table's keys and indexes, said once: the CDK stack builds the AWS table from this and the
 * local stack builds dynalite's, so the two cannot drift. Every key attribute holds a string, and
 * every index projects all attributes. The table declares no TTL attribute (dynalite has none):
 * expiry is an attribute the code honours; a TTL, once the AWS table has one, is said here too.
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
}

/** Lists sessions newest first (`SESSIONS` / createdAt); a user's history will take a partition here. */
export const HISTORY_INDEX: IndexDesign = { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' };

export const TABLE_DESIGN: TableDesign = { partitionKey: 'PK', sortKey: 'SK', indexes: [HISTORY_INDEX] };
