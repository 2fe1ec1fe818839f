import { parse } from 'csv-parse/sync';
import type { TransformOutcome } from '../../domain/types.js';
import { RESULT_PREVIEW_ROWS } from './dataset.js';

/** A preview cell longer than this is cut (the full value is in the CSV). */
const MAX_PREVIEW_CELL_CHARS = 200;
/** The preview's JSON stays under this, so a result fits the state payload beside its item. */
const MAX_PREVIEW_BYTES = 32 * 1024;

/**
 * Measures a candidate's output CSV as written by `DataFrame.to_csv(index=False)`: its header, row
 * count, all-missing columns (pandas writes a missing value as an empty field) and the rows that
 * repeat a key. Trusted code measuring what an untrusted run left, so a malformed file is a verdict
 * (`error`), never an exception.
 */
export function measureOutput(
  csv: string,
  options: { dtypes?: Record<string, string>; uniqueBy?: readonly string[] } = {},
): Omit<TransformOutcome, 'stored'> {
  const csvBytes = Buffer.byteLength(csv, 'utf8');
  let records: string[][];
  try {
    records = parse(csv, { bom: true, skip_empty_lines: false, relax_quotes: false }) as string[][];
  } catch (error) {
    return empty(csvBytes, `the output is not a well-formed CSV: ${(error as Error).message.slice(0, 200)}`);
  }
  // A DataFrame with no columns writes one empty line: a header of nothing.
  const [header = [], ...rows] = records;
  const names = header.length === 1 && header[0] === '' && rows.every((row) => row.length <= 1) ? [] : header;
  const columns = names.map((name) => ({ name, dtype: options.dtypes?.[name] ?? 'object' }));
  const data = names.length === 0 ? [] : rows;
  const nullColumns = names.filter((_, at) => data.length > 0 && data.every((row) => (row[at] ?? '') === ''));
  return {
    columns,
    rows: data.length,
    nullColumns,
    duplicateKeyRows: duplicateKeyRows(names, data, options.uniqueBy ?? []),
    preview: preview(data),
    csvBytes,
  };
}

function empty(csvBytes: number, error: string): Omit<TransformOutcome, 'stored'> {
  return { columns: [], rows: 0, nullColumns: [], duplicateKeyRows: 0, preview: [], csvBytes, error };
}

function duplicateKeyRows(names: string[], rows: string[][], keys: readonly string[]): number {
  const at = keys.map((key) => names.indexOf(key));
  // Keys the output lacks fail the columns check; uniqueness over them is not measured.
  if (at.length === 0 || at.some((index) => index < 0)) return 0;
  const seen = new Set<string>();
  let repeated = 0;
  for (const row of rows) {
    const key = JSON.stringify(at.map((index) => row[index] ?? ''));
    if (seen.has(key)) repeated += 1;
    else seen.add(key);
  }
  return repeated;
}

function preview(rows: string[][]): Array<Array<string | null>> {
  const kept: Array<Array<string | null>> = [];
  let bytes = 2;
  for (const row of rows.slice(0, RESULT_PREVIEW_ROWS)) {
    const cells = row.map((cell) =>
      cell === ''
        ? null
        : cell.length > MAX_PREVIEW_CELL_CHARS
          ? `${cell.slice(0, MAX_PREVIEW_CELL_CHARS - 1)}…`
          : cell,
    );
    bytes += Buffer.byteLength(JSON.stringify(cells), 'utf8') + 1;
    if (bytes > MAX_PREVIEW_BYTES) break;
    kept.push(cells);
  }
  return kept;
}
