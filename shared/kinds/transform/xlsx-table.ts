import readXlsxFile from 'read-excel-file/node';
import { InvalidRequestError } from '../../domain/errors.js';

/**
 * A workbook's sheet as texts, so a workbook and a CSV are typed by the same rules: numbers as
 * JavaScript prints them, booleans as `true`/`false`, dates as ISO-8601 (a date alone when it is
 * midnight), empty cells as ''. The first sheet unless one is named.
 */
export async function readWorkbook(
  bytes: Buffer,
  sheet?: string,
): Promise<{ sheet: string; header: string[]; records: string[][] }> {
  let sheets: Awaited<ReturnType<typeof readXlsxFile>>;
  try {
    sheets = await readXlsxFile(bytes);
  } catch (error) {
    throw new InvalidRequestError(`the workbook cannot be read: ${(error as Error).message}`, 'file');
  }
  const chosen = sheet === undefined ? sheets[0] : sheets.find((candidate) => candidate.sheet === sheet);
  if (!chosen) {
    if (sheet === undefined) throw new InvalidRequestError('the workbook has no sheet', 'file');
    throw new InvalidRequestError(
      `the workbook has no sheet "${sheet}" (it has ${sheets.map((s) => `"${s.sheet}"`).join(', ')})`,
      'sheet',
    );
  }
  const rows = chosen.data.map((row) => row.map(cellText));
  const width = Math.max(0, ...rows.map((row) => row.length));
  const [header = [], ...records] = rows.map((row) => [
    ...row,
    ...Array<string>(width - row.length).fill(''),
  ]);
  if (header.length === 0) throw new InvalidRequestError(`the sheet "${chosen.sheet}" is empty`, 'file');
  return {
    sheet: chosen.sheet,
    header,
    records: records.filter((record) => record.some((cell) => cell !== '')),
  };
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/\.000Z$/, '').replace(/Z$/, '');
  }
  return String(value);
}
