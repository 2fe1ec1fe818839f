/** Port: large blobs (code, diffs, full logs) kept outside the table, by key. */
export interface ArtifactStore {
  put(key: string, body: string): Promise<void>;
  /** Returns undefined when there is no such key. */
  get(key: string): Promise<string | undefined>;
}
