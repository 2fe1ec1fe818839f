import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformView } from '../../shared/kinds/transform/use-cases/get-transform.js';
import type { DatasetView } from '../../shared/kinds/transform/use-cases/upload-dataset.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';
import { waitForTransform } from '../support/transform-job.js';

/**
 * Data transforms end to end on the local stack, offline: a 10,000-row CSV and the same rows as an
 * XLSX (mixed types, dates, missing values) uploaded over HTTP, then instructions covering the
 * grammar, each run as a job that must end verified with the output a hand-written pandas program
 * computes from the same file.
 */

const SUPPORT = resolve(import.meta.dirname, '../support/transform');
const PYTHON = '/usr/bin/python3';
let fixture: StackFixture;
let dir: string;
let expected: Record<string, string>;

const INSTRUCTIONS: Record<string, string> = {
  'by-region-2024': 'keep orders from 2024, total the amount per region, largest first',
  'large-orders': 'keep rows where quantity >= 3, keep columns order_id, region, quantity',
  'top-totals': 'add column total = price * quantity, keep the top 10 rows by total',
  'count-regions': 'fill missing region with unknown, count rows per region',
  'first-per-area':
    'remove rows where returned is true; drop duplicates by region; rename region to area; drop column note',
  'rush-sorted': 'keep rows where note contains "rush", sort by price desc, order_id',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'te-transform-'));
  execFileSync(PYTHON, [join(SUPPORT, 'make_orders.py'), dir]);
  expected = JSON.parse(
    execFileSync(
      PYTHON,
      [join(SUPPORT, 'expected.py'), join(dir, 'orders.csv'), ...Object.keys(INSTRUCTIONS)],
      {
        encoding: 'utf8',
      },
    ),
  ) as Record<string, string>;
  fixture = await startStackFixture({ SANDBOX_TRANSFORM_TIMEOUT_MS: '30000' });
}, 120_000);

afterAll(async () => {
  await fixture?.stop();
});

async function upload(name: string, type: string, bytes: Buffer, query = ''): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), name);
  return fetch(`${fixture.stack.httpUrl}/v1/datasets${query}`, { method: 'POST', body: form });
}

async function uploaded(name: string, type: string): Promise<DatasetView> {
  const response = await upload(name, type, readFileSync(join(dir, name)));
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as DatasetView;
}

async function runJob(body: Record<string, unknown>): Promise<TransformView> {
  const response = await fetch(`${fixture.stack.httpUrl}/v1/transforms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(202);
  const { jobId } = (await response.json()) as { jobId: string };
  return waitForTransform(fixture.stack.httpUrl, jobId, 90_000);
}

async function download(jobId: string): Promise<{ csv: string; response: Response }> {
  const response = await fetch(`${fixture.stack.httpUrl}/v1/transforms/${jobId}/output.csv`);
  return { csv: await response.text(), response };
}

const cells = (csv: string) => parse(csv) as string[][];

describe('Datasets over HTTP', () => {
  it('takes the CSV: columns typed, 10,000 rows, a preview of ten', async () => {
    const dataset = await uploaded('orders.csv', 'text/csv');

    expect(dataset.format).toBe('csv');
    expect(dataset.rows).toBe(10_000);
    expect(dataset.columns).toEqual([
      { name: 'order_id', dtype: 'int64' },
      { name: 'region', dtype: 'object' },
      { name: 'ordered', dtype: 'datetime64[ns]' },
      { name: 'quantity', dtype: 'int64' },
      { name: 'price', dtype: 'float64' },
      { name: 'amount', dtype: 'float64' },
      { name: 'returned', dtype: 'bool' },
      { name: 'note', dtype: 'object' },
    ]);
    expect(dataset.preview).toHaveLength(10);
    expect(dataset.preview[0]).toEqual([1, 'north', '2022-08-14', 6, 189.63, 1137.78, false, 'late']);
  });

  it('takes the same rows as an XLSX, typed alike', async () => {
    const csv = await uploaded('orders.csv', 'text/csv');
    const xlsx = await uploaded(
      'orders.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );

    expect(xlsx).toMatchObject({
      format: 'xlsx',
      sheet: 'Orders',
      rows: 10_000,
      columns: csv.columns,
      preview: csv.preview,
    });
  });

  it.each([
    ['text named .xlsx', 'orders.xlsx', Buffer.from('order_id,region\n1,north\n')],
    ['binary named .csv', 'orders.csv', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10])],
    ['a PNG named .csv', 'orders.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ])('refuses a spoofed upload (%s) with 400 naming the file', async (_what, name, bytes) => {
    const response = await upload(name, 'application/octet-stream', bytes);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'file' });
  });

  it('refuses a 60 MB upload before storing it', async () => {
    // Prepare
    const big = Buffer.alloc(60 * 1024 * 1024, 'a,b\n1,2\n');
    const artifacts = join(fixture.dataDir, 'artifacts', 'datasets');
    const before = listing(artifacts);

    // Act
    const response = await upload('big.csv', 'text/csv', big).catch((error: unknown) => error as Error);

    // Assess: refused by its declared length, unread, and nothing new is stored.
    if (response instanceof Response) {
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ field: 'file' });
    } else {
      expect(String(response.cause ?? response)).toMatch(/closed|reset|EPIPE|socket/i);
    }
    expect(listing(artifacts)).toEqual(before);
  });

  it('answers 404 for another user’s dataset and an unknown sheet with 400 naming the sheet', async () => {
    const dataset = await uploaded('orders.csv', 'text/csv');
    const token = await fixture.stack.issuer.sign({ sub: 'someone-else', name: 'Other' });

    const other = await fetch(`${fixture.stack.httpUrl}/v1/datasets/${dataset.datasetId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const sheet = await upload(
      'orders.xlsx',
      'application/octet-stream',
      readFileSync(join(dir, 'orders.xlsx')),
      '?sheet=Nope',
    );

    expect(other.status).toBe(404);
    expect((await fetch(`${fixture.stack.httpUrl}/v1/datasets/${dataset.datasetId}`)).status).toBe(200);
    expect(sheet.status).toBe(400);
    expect(await sheet.json()).toMatchObject({ field: 'sheet' });
  });
});

function listing(path: string): string[] {
  try {
    return execFileSync('find', [path, '-type', 'f'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .sort();
  } catch {
    return [];
  }
}

describe('Transform jobs over HTTP, offline', () => {
  it.each(Object.keys(INSTRUCTIONS))(
    '%s: verified on the CSV and the XLSX, with pandas’ own answer',
    async (name) => {
      // Prepare
      const [csv, xlsx] = await Promise.all([
        uploaded('orders.csv', 'text/csv'),
        uploaded('orders.xlsx', 'application/octet-stream'),
      ]);

      // Act
      const views = await Promise.all(
        [csv, xlsx].map((dataset) =>
          runJob({ datasetId: dataset.datasetId, instruction: INSTRUCTIONS[name] }),
        ),
      );

      // Assess
      for (const view of views) {
        expect(view.status, JSON.stringify(view.candidates)).toBe('verified');
        expect(view.candidates).toHaveLength(3);
        expect(view.candidates.every((candidate) => candidate.status === 'passed')).toBe(true);
        expect(view.spec).toContain('## Transformation steps');
        const { csv: output, response } = await download(view.jobId);
        expect(response.headers.get('content-type')).toContain('text/csv');
        expect(response.headers.get('content-disposition')).toMatch(
          /^attachment; filename=".+-transformed\.csv"$/,
        );
        expect(output).toBe(expected[name]);
        // The preview is the download's first rows, cell for cell.
        const [header, ...rows] = cells(output);
        expect(view.winner?.columns.map((column) => column.name)).toEqual(header);
        expect(view.winner?.rows).toBe(rows.length);
        expect(view.winner?.preview).toEqual(
          rows.slice(0, 50).map((row) => row.map((cell) => (cell === '' ? null : cell))),
        );
      }
    },
  );

  it('runs the client’s own code, and blocks hostile code without verifying it', async () => {
    const dataset = await uploaded('orders.csv', 'text/csv');

    const [own, hostile] = await Promise.all([
      runJob({
        datasetId: dataset.datasetId,
        code: 'import pandas as pd\n\ndef transform(df):\n    return df[["order_id"]].head(3)\n',
      }),
      runJob({
        datasetId: dataset.datasetId,
        code: "import subprocess\n\ndef transform(df):\n    subprocess.run(['id'])\n    return df\n",
      }),
    ]);

    expect(own.status).toBe('verified');
    expect((await download(own.jobId)).csv).toBe('order_id\n1\n2\n3\n');
    expect(hostile.status).toBe('no_fix');
    expect(hostile.candidates[0]?.status).toBe('blocked');
    expect((await download(hostile.jobId)).response.status).toBe(404);
  });

  it('says which words the offline compiler could not understand, before any job runs', async () => {
    const dataset = await uploaded('orders.csv', 'text/csv');

    const view = await runJob({ datasetId: dataset.datasetId, instruction: 'frobnicate the widgets' });

    expect(view.status).toBe('failed');
    expect(view.reason).toContain('could not understand "frobnicate", "widgets"');
  });

  it('answers 400 naming the field, and 404 for a dataset that is not there', async () => {
    const post = (body: unknown) =>
      fetch(`${fixture.stack.httpUrl}/v1/transforms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const none = await post({ datasetId: 'ds_nothing_here_at_all', instruction: 'drop duplicates' });
    const two = await post({ datasetId: 'ds_x', instruction: 'a', code: 'b' });

    expect(none.status).toBe(404);
    expect(two.status).toBe(400);
    expect(await two.json()).toMatchObject({ field: 'code' });
  });
});

describe('Text streams offline', () => {
  const stream = async (path: string, body: unknown) => {
    const response = await fetch(`${fixture.stack.httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const events = (await response.text())
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)) as { chunk?: string; done: boolean; error?: string });
    return { response, events };
  };

  it('streams the specification, then the program for it, which a job then verifies', async () => {
    const dataset = await uploaded('orders.csv', 'text/csv');

    const refined = await stream('/v1/transforms/refine', {
      datasetId: dataset.datasetId,
      instruction: INSTRUCTIONS['by-region-2024'],
    });
    const spec = refined.events.map((event) => event.chunk ?? '').join('');
    const generated = await stream('/v1/transforms/generate', { datasetId: dataset.datasetId, spec });
    const code = generated.events.map((event) => event.chunk ?? '').join('');
    const job = await runJob({ datasetId: dataset.datasetId, spec, code });

    expect(refined.response.headers.get('content-type')).toContain('text/event-stream');
    expect(refined.events.length).toBeGreaterThan(5);
    expect(refined.events.at(-1)).toEqual({ done: true });
    expect(spec).toContain('1. Keep rows where `ordered` falls in 2024');
    expect(code).toContain('def transform(df: pd.DataFrame) -> pd.DataFrame:');
    expect(job.status).toBe('verified');
    // Checked against the specification: its columns, and one row per region.
    expect(job.candidates[0]?.checks.map((check) => check.name)).toEqual(
      expect.arrayContaining(['columns as specified, in order', 'one row per "region"']),
    );
    expect((await download(job.jobId)).csv).toBe(expected['by-region-2024']);
  });

  it('ends the stream with an error naming the words it could not understand', async () => {
    const dataset = await uploaded('orders.csv', 'text/csv');

    const { response, events } = await stream('/v1/transforms/refine', {
      datasetId: dataset.datasetId,
      instruction: 'frobnicate the widgets',
    });

    expect(response.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]?.done).toBe(true);
    expect(events[0]?.error).toMatch(/^could not understand "frobnicate", "widgets"/);
  });
});
