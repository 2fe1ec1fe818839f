import { parse } from 'csv-parse/sync';
import { InvalidRequestError } from '../../domain/errors.js';

/** The delimiters a CSV is tried with, in the order a tie is broken. */
const DELIMITERS = [',', ';', '\t', '|'] as const;
/** Lines the delimiter is chosen on. */
const SNIFF_LINES = 50;

export interface CsvText {
  text: string;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
}

/**
 * The file's text: UTF-16 when its byte-order mark says so, UTF-8 (with or without a BOM) when it
 * decodes as such, else Windows-1252, which every byte sequence decodes as (the legacy Excel export).
 */
export function decodeCsv(bytes: Buffer): CsvText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start)),
      encoding: 'utf-8',
    };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/**
 * The delimiter that splits the first lines into the same number of fields (more than one), the
 * most fields winning; a file with one column has none that does, and is read with commas.
 */
export function sniffDelimiter(text: string): string {
  let best: { delimiter: string; fields: number } = { delimiter: ',', fields: 1 };
  for (const delimiter of DELIMITERS) {
    let records: string[][];
    try {
      records = parse(text, {
        delimiter,
        to_line: SNIFF_LINES,
        relax_column_count: true,
        skip_empty_lines: true,
      });
    } catch {
      continue;
    }
    // The last line sniffed may be cut mid-record; it does not vote.
    const counts = records.slice(0, Math.max(1, records.length - 1)).map((record) => record.length);
    const first = counts[0] ?? 1;
    if (first > best.fields && counts.every((count) => count === first)) best = { delimiter, fields: first };
  }
  return best.delimiter;
}

/** The header and the records of a CSV text, every record as long as the header. */
export function parseCsv(text: string): { delimiter: string; header: string[]; records: string[][] } {
  const delimiter = sniffDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, relax_column_count: false, bom: true });
  } catch (error) {
    const where = (error as { lines?: number }).lines;
    throw new InvalidRequestError(
      `the CSV cannot be read${where ? ` (line ${where})` : ''}: ${(error as Error).message.replace(/^Invalid Record Length: /, '')}`,
      'file',
    );
  }
  const [header, ...rows] = records;
  if (!header) throw new InvalidRequestError('the CSV has no header row', 'file');
  return { delimiter, header, records: rows };
}
