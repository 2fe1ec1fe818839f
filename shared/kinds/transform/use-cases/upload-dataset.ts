import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../../../domain/errors.js';
import type { Principal } from '../../../domain/principal.js';
import { decodeCsv, parseCsv } from '../csv-table.js';
import { type DatasetMeta, PREVIEW_ROWS, type TypedTable } from '../dataset.js';
import type { DatasetStore } from '../dataset-store.js';
import { sniffFormat } from '../file-sniff.js';
import { inferTable } from '../infer-types.js';
import { readWorkbook } from '../xlsx-table.js';

export interface UploadDatasetDeps {
  datasets: Pick<DatasetStore, 'put'>;
  /** How long a dataset is kept. */
  ttlHours: number;
}

/** What the client sent: the file's name and bytes, and for a workbook the sheet to read. */
export interface DatasetUpload {
  filename: string;
  bytes: Buffer;
  sheet?: string;
}

/** The dataset as its uploader is shown it. */
export type DatasetView = Pick<
  DatasetMeta,
  'datasetId' | 'filename' | 'format' | 'sheet' | 'columns' | 'rows' | 'preview' | 'expiresAt'
>;

export const MAX_DATASET_COLUMNS = 500;
export const MAX_DATASET_ROWS = 1_000_000;

/**
 * Takes an upload in, once: every later step works on the typed table it leaves.
 *
 * 1. Sniff the real type from the bytes against the name (a spoof is a 400 naming `file`).
 * 2. Read it: a CSV's encoding and delimiter detected; a workbook's first (or named) sheet.
 * 3. Name the columns (blank headers `unnamed_<n>`, repeats `<name>_2`, …) and type them.
 * 4. Store the typed table and the metadata, owned by the uploader, expiring after the TTL.
 */
export async function uploadDataset(
  deps: UploadDatasetDeps,
  upload: DatasetUpload,
  owner: Principal,
): Promise<DatasetView> {
  const format = sniffFormat(upload.filename, upload.bytes);
  if (format === 'csv' && upload.sheet !== undefined) {
    throw new InvalidRequestError('sheet applies only to an .xlsx workbook', 'sheet');
  }
  const read =
    format === 'xlsx'
      ? await readWorkbook(upload.bytes, upload.sheet)
      : { ...parseCsv(decodeCsv(upload.bytes).text), sheet: undefined };
  if (read.header.length > MAX_DATASET_COLUMNS) {
    throw new InvalidRequestError(
      `the file has ${read.header.length} columns; at most ${MAX_DATASET_COLUMNS} are taken`,
      'file',
    );
  }
  if (read.records.length > MAX_DATASET_ROWS) {
    throw new InvalidRequestError(
      `the file has ${read.records.length} rows; at most ${MAX_DATASET_ROWS} are taken`,
      'file',
    );
  }
  const table: TypedTable = inferTable(columnNames(read.header), read.records);
  const now = new Date();
  const meta: DatasetMeta = {
    datasetId: `ds_${randomBytes(16).toString('base64url')}`,
    owner: owner.userId,
    filename: upload.filename,
    format,
    ...(read.sheet === undefined ? {} : { sheet: read.sheet }),
    columns: table.columns,
    rows: table.rows.length,
    bytes: upload.bytes.length,
    preview: table.rows.slice(0, PREVIEW_ROWS),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.ttlHours * 60 * 60 * 1000).toISOString(),
  };
  await deps.datasets.put(meta, JSON.stringify(table));
  return datasetView(meta);
}

export function datasetView(meta: DatasetMeta): DatasetView {
  const { datasetId, filename, format, sheet, columns, rows, preview, expiresAt } = meta;
  return {
    datasetId,
    filename,
    format,
    ...(sheet === undefined ? {} : { sheet }),
    columns,
    rows,
    preview,
    expiresAt,
  };
}

/** Headers made usable as column names: trimmed, blanks named by position, repeats numbered. */
export function columnNames(header: readonly string[]): string[] {
  const taken = new Set<string>();
  return header.map((raw, at) => {
    const base = raw.trim() === '' ? `unnamed_${at + 1}` : raw.trim();
    let name = base;
    for (let n = 2; taken.has(name); n += 1) name = `${base}_${n}`;
    taken.add(name);
    return name;
  });
}
