import type { Cell, ColumnDtype, DatasetColumn } from './dataset.js';

/** Texts read as a missing value, as pandas reads them by default. */
const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'NULL', 'null', 'NaN', 'nan', '<NA>', '#N/A', 'None']);
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOL = /^(?:true|false)$/i;
const DATE = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(?:Z)?$/;

/**
 * Types each column from its texts, as the narrowest dtype every non-missing value fits: bool, then
 * int64 (float64 when a value is missing, as pandas reads such a column), float64, datetime64[ns]
 * (ISO dates and date-times), else object. A column with no value at all is object. Values become
 * numbers, booleans, ISO-8601 strings (datetimes) or the text itself; missing ones null.
 */
export function inferTable(names: string[], rows: string[][]): { columns: DatasetColumn[]; rows: Cell[][] } {
  const columns = names.map((name, at) => ({ name, dtype: columnDtype(rows, at) }));
  const typed = rows.map((row) => columns.map((column, at) => typedValue(row[at] ?? '', column.dtype)));
  return { columns, rows: typed };
}

function columnDtype(rows: string[][], at: number): ColumnDtype {
  let present = 0;
  let missing = 0;
  const fits = { bool: true, int: true, float: true, date: true };
  for (const row of rows) {
    const text = (row[at] ?? '').trim();
    if (MISSING.has(text)) {
      missing += 1;
      continue;
    }
    present += 1;
    if (fits.bool && !BOOL.test(text)) fits.bool = false;
    if (fits.int && !(INT.test(text) && Number.isSafeInteger(Number(text)))) fits.int = false;
    if (fits.float && !FLOAT.test(text)) fits.float = false;
    if (fits.date && !validDate(text)) fits.date = false;
    if (!fits.bool && !fits.int && !fits.float && !fits.date) return 'object';
  }
  if (present === 0) return 'object';
  if (fits.bool) return missing > 0 ? 'object' : 'bool';
  if (fits.int) return missing > 0 ? 'float64' : 'int64';
  if (fits.float) return 'float64';
  if (fits.date) return 'datetime64[ns]';
  return 'object';
}

function typedValue(raw: string, dtype: ColumnDtype): Cell {
  const text = raw.trim();
  if (MISSING.has(text)) return null;
  switch (dtype) {
    case 'bool':
      return text.toLowerCase() === 'true';
    case 'int64':
    case 'float64':
      return Number(text);
    case 'datetime64[ns]':
      return isoDate(text);
    default:
      return raw;
  }
}

function validDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [, y, m, d, hh = '0', mm = '0', ss = '0'] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d), Number(hh), Number(mm), Number(ss)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d) &&
    Number(hh) < 24 &&
    Number(mm) < 60 &&
    Number(ss) < 60
  );
}

/** `2024-03-01` stays a date; a date-time becomes `2024-03-01T10:00:00` (fractions kept). */
function isoDate(text: string): string {
  const match = DATE.exec(text);
  if (!match) return text;
  const [, y, m, d, hh, mm, ss = '00', fraction = ''] = match;
  return hh === undefined ? `${y}-${m}-${d}` : `${y}-${m}-${d}T${hh}:${mm}:${ss}${fraction}`;
}
