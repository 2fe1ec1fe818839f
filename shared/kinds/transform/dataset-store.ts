import type { Upload } from '../../domain/sandbox-job.js';
import type { DatasetMeta, PendingUpload } from './dataset.js';

/** Port: datasets, their metadata in the table and their typed table (JSON) as an artifact. */
export interface DatasetStore {
  /** Stores the typed table, then the metadata (a dataset is readable only once both are there). */
  put(meta: DatasetMeta, table: string): Promise<void>;
  /** The metadata, or undefined when there is no such dataset or it has expired. */
  getMeta(datasetId: string): Promise<DatasetMeta | undefined>;
  /** The typed table's JSON, or undefined when gone. A job copies it into its own artifacts. */
  getTable(datasetId: string): Promise<string | undefined>;
  /** Records a pending upload and presigns the form that sends its bytes (at most `upload.bytes`). */
  putUpload(upload: PendingUpload, expiresInS: number): Promise<Upload>;
  /** The pending upload, or undefined when there is none or it has expired. */
  getUpload(uploadId: string): Promise<PendingUpload | undefined>;
  /** The bytes sent for the upload, or undefined while none have arrived (or they have expired). */
  readUpload(uploadId: string): Promise<Buffer | undefined>;
}
