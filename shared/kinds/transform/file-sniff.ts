import { InvalidRequestError } from '../../domain/errors.js';
import type { DatasetFormat } from './dataset.js';

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Formats a spreadsheet upload is often mistaken for, by their first bytes. */
const BINARY_MAGIC: ReadonlyArray<[string, Buffer]> = [
  ['a zip archive', ZIP],
  ['a legacy Excel (.xls) workbook', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
  ['a PDF', Buffer.from('%PDF-')],
  ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  ['a gzip file', Buffer.from([0x1f, 0x8b])],
];
const UTF16_BOMS = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];

/**
 * What an upload really is, from its name and its first bytes: a name says what the client means,
 * the bytes what it sent, and both must agree. An `.xlsx` must be a zip holding an OOXML workbook;
 * a CSV must be text (a UTF-16 CSV announces itself with its byte-order mark).
 */
export function sniffFormat(filename: string, bytes: Buffer): DatasetFormat {
  const format = formatByName(filename, 'file');
  const extension = extensionOf(filename);
  if (bytes.length === 0) throw new InvalidRequestError('the file is empty', 'file');
  if (format === 'xlsx') {
    if (!bytes.subarray(0, 4).equals(ZIP) || !looksLikeWorkbook(bytes)) {
      throw new InvalidRequestError('the file is named .xlsx but is not an Excel workbook', 'file');
    }
    return 'xlsx';
  }
  const binary = BINARY_MAGIC.find(([, magic]) => bytes.subarray(0, magic.length).equals(magic));
  if (binary) throw new InvalidRequestError(`the file is named .${extension} but is ${binary[0]}`, 'file');
  const utf16 = UTF16_BOMS.some((bom) => bytes.subarray(0, 2).equals(bom));
  if (!utf16 && hasControlBytes(bytes.subarray(0, 64 * 1024))) {
    throw new InvalidRequestError(`the file is named .${extension} but holds binary data, not text`, 'file');
  }
  return 'csv';
}

/**
 * The format a file's name announces (`.csv`, `.tsv` and `.txt` are read as delimited text), or a
 * 400 naming `field`: checked before any byte is taken, and again against the bytes by sniffFormat.
 */
export function formatByName(filename: string, field: string): DatasetFormat {
  const extension = extensionOf(filename);
  if (extension === 'xlsx') return 'xlsx';
  if (extension === 'csv' || extension === 'tsv' || extension === 'txt') return 'csv';
  throw new InvalidRequestError(
    `${extension ? `.${extension} files are` : 'a file without an extension is'} not supported: upload a .csv or .xlsx`,
    field,
  );
}

function extensionOf(filename: string): string | undefined {
  return /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
}

/** An OOXML workbook names its parts in the zip's entries: `[Content_Types].xml` and `xl/…`. */
function looksLikeWorkbook(bytes: Buffer): boolean {
  const head = bytes.subarray(0, Math.min(bytes.length, 1024 * 1024)).toString('latin1');
  return head.includes('[Content_Types].xml') && head.includes('xl/');
}

/** NUL or other control bytes than tab, newline, carriage return and form feed: not a text file. */
function hasControlBytes(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return true;
  }
  return false;
}
