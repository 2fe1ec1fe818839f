import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCsv, parseCsv, sniffDelimiter } from '../../shared/kinds/transform/csv-table.js';
import { sniffFormat } from '../../shared/kinds/transform/file-sniff.js';
import { inferTable } from '../../shared/kinds/transform/infer-types.js';
import { columnNames, uploadDataset } from '../../shared/kinds/transform/use-cases/upload-dataset.js';
import { readWorkbook } from '../../shared/kinds/transform/xlsx-table.js';

const owner = { userId: 'user-1', via: 'token' as const };

/** A workbook written by openpyxl (Debian's python3-openpyxl), as a spreadsheet program would save it. */
function workbook(script: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'te-xlsx-'));
  const path = join(dir, 'book.xlsx');
  execFileSync('/usr/bin/python3', [
    '-c',
    `from openpyxl import Workbook\nimport datetime\nbook = Workbook()\n${script}\nbook.save(${JSON.stringify(path)})`,
  ]);
  return readFileSync(path);
}

describe('Function: sniffFormat', () => {
  it('takes a CSV and an XLSX that are what their names say', () => {
    expect(sniffFormat('a.csv', Buffer.from('a,b\n1,2\n'))).toBe('csv');
    expect(sniffFormat('Book.XLSX', workbook("book.active.append(['a'])"))).toBe('xlsx');
  });

  it.each([
    [
      'an .xlsx that is text',
      'data.xlsx',
      Buffer.from('a,b\n1,2\n'),
      /named .xlsx but is not an Excel workbook/,
    ],
    [
      'an .xlsx that is some other zip',
      'data.xlsx',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('readme.txt')]),
      /not an Excel workbook/,
    ],
    ['a CSV holding NUL bytes', 'data.csv', Buffer.from('a,b\n1,\u0000\u0001\n'), /holds binary data/],
    ['a CSV that is a PNG', 'data.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), /is a PNG image/],
    ['a CSV that is a workbook', 'data.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), /is a zip archive/],
    ['a legacy .xls', 'data.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), /.xls files are not supported/],
    ['an empty file', 'data.csv', Buffer.alloc(0), /the file is empty/],
  ])('refuses %s, naming the file', (_what, name, bytes, message) => {
    expect(() => sniffFormat(name, bytes)).toThrow(
      expect.objectContaining({ field: 'file', message: expect.stringMatching(message) }),
    );
  });
});

describe('Function: decodeCsv', () => {
  it('reads UTF-8 with and without a BOM, UTF-16 by its BOM, and Windows-1252 otherwise', () => {
    expect(decodeCsv(Buffer.from('\ufeffcafé,1', 'utf8'))).toEqual({ text: 'café,1', encoding: 'utf-8' });
    expect(decodeCsv(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('née,2', 'utf16le')]))).toEqual({
      text: 'née,2',
      encoding: 'utf-16le',
    });
    // "Müller;5 €" as a legacy Excel export writes it: ü is 0xFC, € is 0x80.
    expect(decodeCsv(Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x3b, 0x35, 0x20, 0x80]))).toEqual({
      text: 'Müller;5 €',
      encoding: 'windows-1252',
    });
  });
});

describe('Function: sniffDelimiter / parseCsv', () => {
  it('finds a semicolon, a tab and a pipe, and is not fooled by a quoted comma', () => {
    expect(sniffDelimiter('a;b;c\n1;"2,5";3\n')).toBe(';');
    expect(sniffDelimiter('a\tb\n1\t2\n')).toBe('\t');
    expect(sniffDelimiter('a|b\n1|2\n')).toBe('|');
    expect(sniffDelimiter('name,note\n"Smith; J",ok\n"Lee; K",late\n')).toBe(',');
  });

  it('reads one column with commas, and says which line is ragged', () => {
    expect(parseCsv('only\n1\n2\n')).toEqual({ delimiter: ',', header: ['only'], records: [['1'], ['2']] });
    expect(() => parseCsv('a,b\n1,2\n3,4,5\n')).toThrow(
      expect.objectContaining({ field: 'file', message: expect.stringContaining('line 3') }),
    );
  });
});

describe('Function: inferTable', () => {
  it('types each column as the narrowest dtype its values fit, missing values as null', () => {
    const { columns, rows } = inferTable(
      ['id', 'price', 'count', 'ok', 'day', 'at', 'name', 'empty'],
      [
        ['1', '1.5', '3', 'true', '2024-03-01', '2024-03-01 10:30', 'a', ''],
        ['2', 'NA', '', 'False', '2024-02-29', '2024-03-01T11:00:05', 'b', 'N/A'],
        ['3', '1e3', '4', 'true', '', '2024-03-02 00:00:00', '7', ''],
      ],
    );

    expect(columns.map((column) => column.dtype)).toEqual([
      'int64',
      'float64',
      // An integer column with a missing value is float64, as pandas reads it.
      'float64',
      'bool',
      'datetime64[ns]',
      'datetime64[ns]',
      'object',
      'object',
    ]);
    expect(rows[1]).toEqual([2, null, null, false, '2024-02-29', '2024-03-01T11:00:05', 'b', null]);
    expect(rows[2]?.[2]).toBe(4);
  });

  it('does not take an impossible date, or a number too large to be exact, for what it is not', () => {
    const { columns } = inferTable(['day', 'big'], [['2023-02-30', '123456789012345678901']]);

    expect(columns.map((column) => column.dtype)).toEqual(['object', 'float64']);
  });
});

describe('Function: columnNames', () => {
  it('names blank headers by position and numbers repeats', () => {
    expect(columnNames([' id ', '', 'id', 'x', 'id'])).toEqual(['id', 'unnamed_2', 'id_2', 'x', 'id_3']);
  });
});

describe('Function: readWorkbook', () => {
  it('reads the first sheet with dates, numbers, booleans and blank cells', async () => {
    const bytes = workbook(
      "s = book.active\ns.title = 'Sales'\ns.append(['day', 'amount', 'paid', 'note'])\n" +
        "s.append([datetime.date(2024, 1, 5), 10.5, True, 'x'])\ns.append([datetime.datetime(2024, 1, 6, 9, 30), None, False, None])\n" +
        "other = book.create_sheet('Other')\nother.append(['z'])",
    );

    const read = await readWorkbook(bytes);

    expect(read).toEqual({
      sheet: 'Sales',
      header: ['day', 'amount', 'paid', 'note'],
      records: [
        ['2024-01-05', '10.5', 'true', 'x'],
        ['2024-01-06T09:30:00', '', 'false', ''],
      ],
    });
    expect((await readWorkbook(bytes, 'Other')).header).toEqual(['z']);
  });

  it('refuses a sheet it does not have, naming the sheet field and the sheets it has', async () => {
    const bytes = workbook("book.active.title = 'Only'\nbook.active.append(['a'])");

    await expect(readWorkbook(bytes, 'Missing')).rejects.toMatchObject({
      field: 'sheet',
      message: 'the workbook has no sheet "Missing" (it has "Only")',
    });
  });
});

describe('Use case: uploadDataset', () => {
  it('stores the typed table and answers its columns, rows and a preview of ten', async () => {
    // Prepare
    const stored: Array<{ id: string; table: string }> = [];
    const datasets = {
      put: async (meta: { datasetId: string }, table: string) =>
        void stored.push({ id: meta.datasetId, table }),
    };
    const csv = `n,label\n${Array.from({ length: 25 }, (_, at) => `${at},"row ${at}"`).join('\n')}\n`;

    // Act
    const view = await uploadDataset(
      { datasets, ttlHours: 2 },
      { filename: 'rows.csv', bytes: Buffer.from(csv) },
      owner,
    );

    // Assess
    expect(view).toMatchObject({ filename: 'rows.csv', format: 'csv', rows: 25 });
    expect(view.columns).toEqual([
      { name: 'n', dtype: 'int64' },
      { name: 'label', dtype: 'object' },
    ]);
    expect(view.preview).toHaveLength(10);
    expect(view.datasetId).toMatch(/^ds_[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(view.expiresAt) - Date.now()).toBeGreaterThan(2 * 3600 * 1000 - 60_000);
    expect(JSON.parse(stored[0]?.table ?? '{}').rows[24]).toEqual([24, 'row 24']);
  });

  it('refuses a sheet for a CSV', async () => {
    await expect(
      uploadDataset(
        { datasets: { put: async () => undefined }, ttlHours: 1 },
        { filename: 'a.csv', bytes: Buffer.from('a\n1\n'), sheet: 'x' },
        owner,
      ),
    ).rejects.toMatchObject({ field: 'sheet' });
  });
});
