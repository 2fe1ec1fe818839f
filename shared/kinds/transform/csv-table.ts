import { parse } from 'csv-parse/sync';
import { InvalidRequestError } from '../../domain/errors.js';

/** The delimiters a CSV is tried with, in the order a tie is broken. */
const DELIMITERS = [',', ';', '\t', '|'] as const;
/** Lines the delimiter is chosen on. */
const SNIFF_LINES = 50;
/** Characters the delimiter is chosen on (50 lines of a wide table fit). */
const SNIFF_CHARS = 256 * 1024;

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
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

/**
 * Windows-1252 differs from Latin-1 only in 0x80–0x9F (€, curly quotes, dashes…). Node's
 * TextDecoder decodes the `windows-1252` label as Latin-1 there, so those 32 bytes are mapped here.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
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
  // The delimiter is chosen on the first lines: the head is enough, and the whole text costs time.
  const delimiter = sniffDelimiter(text.slice(0, SNIFF_CHARS));
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
