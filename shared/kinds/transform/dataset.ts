/**
 * A dataset as the transform kind keeps it: parsed once at upload into a typed table, the one input
 * every candidate program is run on. The trusted harness turns the table into a DataFrame with these
 * dtypes, so no program parses the upload itself.
 */

/** The pandas dtype a column is loaded as. Datetimes travel as ISO-8601 strings. */
export type ColumnDtype = 'int64' | 'float64' | 'bool' | 'datetime64[ns]' | 'object';

export const COLUMN_DTYPES: readonly ColumnDtype[] = ['int64', 'float64', 'bool', 'datetime64[ns]', 'object'];

export interface DatasetColumn {
  name: string;
  dtype: ColumnDtype;
}

/** One value: missing is null; a datetime is an ISO-8601 string (`2024-03-01` or `2024-03-01T10:00:00`). */
export type Cell = string | number | boolean | null;

/** The typed cache (stored as JSON): row-major, each row as long as `columns`. */
export interface TypedTable {
  columns: DatasetColumn[];
  rows: Cell[][];
}

export type DatasetFormat = 'csv' | 'xlsx';

/** What the table keeps of a dataset (`DATASET#<id>`); the typed table itself is an artifact. */
export interface DatasetMeta {
  datasetId: string;
  /** The user who uploaded it; only they may use it. */
  owner: string;
  /** The client's file name, as sent. */
  filename: string;
  format: DatasetFormat;
  /** The sheet read, for an XLSX. */
  sheet?: string;
  columns: DatasetColumn[];
  rows: number;
  /** Size of the upload as sent. */
  bytes: number;
  /** At most PREVIEW_ROWS rows, as in the typed table. */
  preview: Cell[][];
  createdAt: string;
  /** ISO time after which the dataset is gone (a TTL on the item, a lifecycle on the artifact). */
  expiresAt: string;
}

/** A file the client was given a presigned upload for (`UPLOAD#<id>`); its bytes are an artifact. */
export interface PendingUpload {
  uploadId: string;
  /** The user who asked; only they may turn it into a dataset. */
  owner: string;
  /** The client's file name, as declared. */
  filename: string;
  /** The size declared, which the upload's policy holds the file to. */
  bytes: number;
  createdAt: string;
  /** When the upload's bytes and this record are gone. */
  expiresAt: string;
}

/** Rows shown with an upload. */
export const PREVIEW_ROWS = 10;
/** Rows of a result shown in a job's status. */
export const RESULT_PREVIEW_ROWS = 50;
