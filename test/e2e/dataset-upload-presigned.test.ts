import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadGrant } from '../../shared/kinds/transform/use-cases/presigned-upload.js';
import type { DatasetView } from '../../shared/kinds/transform/use-cases/upload-dataset.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';
import { waitForTransform } from '../support/transform-job.js';

/**
 * A file too large to send in a request, sent as in AWS: the client asks for an upload, posts the
 * file to the presigned form (the local bucket enforces its policy as S3 does), then makes a dataset
 * of it, and a job runs on it to a verified result.
 */

const SUPPORT = resolve(import.meta.dirname, '../support/transform');
const PYTHON = '/usr/bin/python3';
const BIG_ROWS = 200_000;
let fixture: StackFixture;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'te-presigned-'));
  execFileSync(PYTHON, [join(SUPPORT, 'make_orders.py'), dir]);
  execFileSync(PYTHON, [join(SUPPORT, 'make_orders.py'), dir, String(BIG_ROWS), 'big']);
  fixture = await startStackFixture({ SANDBOX_TRANSFORM_TIMEOUT_MS: '30000' });
}, 120_000);

afterAll(async () => {
  await fixture?.stop();
});

async function postJson(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${fixture.stack.httpUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
}

async function grantFor(filename: string, bytes: number): Promise<UploadGrant> {
  const response = await postJson('/v1/datasets/uploads', { filename, bytes });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as UploadGrant;
}

/** Posts the file to the grant's form as a browser or an S3 client would: the fields, then the file. */
async function send(grant: UploadGrant, bytes: Buffer, fields = grant.upload.fields): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([bytes]));
  return fetch(grant.upload.url, { method: 'POST', body: form });
}

async function claim(body: Record<string, unknown>, token?: string): Promise<Response> {
  return postJson('/v1/datasets', body, token);
}

function uploadsStored(): string[] {
  try {
    return execFileSync('find', [join(fixture.dataDir, 'artifacts', 'uploads'), '-type', 'f'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

describe('Datasets by presigned upload', () => {
  it('takes a 200,000-row CSV over the direct cap, and a job on it ends verified with pandas’ answer', async () => {
    // Prepare
    const path = join(dir, 'big.csv');
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(4 * 1024 * 1024);
    const direct = new FormData();
    direct.append('file', new Blob([bytes]), 'big.csv');
    const refused = await fetch(`${fixture.stack.httpUrl}/v1/datasets`, { method: 'POST', body: direct });

    // Act
    const grant = await grantFor('big.csv', bytes.length);
    const sent = await send(grant, bytes);
    const made = await claim({ uploadId: grant.uploadId });

    // Assess: the direct upload points at this route; the presigned one makes the dataset.
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({
      field: 'file',
      error: expect.stringContaining('/v1/datasets/uploads'),
    });
    expect(grant.upload.maxBytes).toBe(bytes.length);
    expect(Date.parse(grant.uploadBy)).toBeGreaterThan(Date.now());
    expect(sent.status).toBe(204);
    expect(made.status, await made.clone().text()).toBe(201);
    const dataset = (await made.json()) as DatasetView;
    expect(dataset).toMatchObject({ filename: 'big.csv', format: 'csv', rows: BIG_ROWS });
    expect(dataset.columns.map((column) => column.dtype)).toEqual([
      'int64',
      'object',
      'datetime64[ns]',
      'int64',
      'float64',
      'float64',
      'bool',
      'object',
    ]);

    // Act: a job on it
    const instruction = 'keep orders from 2024, total the amount per region, largest first';
    const started = await postJson('/v1/transforms', { datasetId: dataset.datasetId, instruction });
    expect(started.status, await started.clone().text()).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const view = await waitForTransform(fixture.stack.httpUrl, jobId, 150_000);
    const output = await (await fetch(`${fixture.stack.httpUrl}/v1/transforms/${jobId}/output.csv`)).text();

    // Assess: the same answer pandas gives from the file itself.
    const expected = JSON.parse(
      execFileSync(PYTHON, [join(SUPPORT, 'expected.py'), path, 'by-region-2024'], { encoding: 'utf8' }),
    ) as Record<string, string>;
    expect(view.status, JSON.stringify(view.candidates)).toBe('verified');
    expect(output).toBe(expected['by-region-2024']);
  }, 180_000);

  it('keeps a workbook’s bytes intact, and its upload for another sheet after a wrong one', async () => {
    // Prepare
    const bytes = readFileSync(join(dir, 'orders.xlsx'));
    const grant = await grantFor('orders.xlsx', bytes.length);
    expect((await send(grant, bytes)).status).toBe(204);

    // Act
    const wrongSheet = await claim({ uploadId: grant.uploadId, sheet: 'Nope' });
    const made = await claim({ uploadId: grant.uploadId, sheet: 'Orders' });

    // Assess
    expect(wrongSheet.status).toBe(400);
    expect(await wrongSheet.json()).toMatchObject({ field: 'sheet' });
    expect(made.status, await made.clone().text()).toBe(201);
    expect(await made.json()).toMatchObject({ format: 'xlsx', sheet: 'Orders', rows: 10_000 });
  });

  it('refuses what the form was not signed for, and stores nothing of it', async () => {
    // Prepare
    const bytes = readFileSync(join(dir, 'orders.csv'));
    const grant = await grantFor('orders.csv', 1000);
    const before = uploadsStored();

    // Act
    const overCap = await send(grant, bytes);
    const forged = await send(grant, bytes, { ...grant.upload.fields, maxBytes: String(bytes.length) });
    const early = await claim({ uploadId: grant.uploadId });

    // Assess: over the size declared (400, as S3 answers), a larger cap than was signed (403), and
    // a dataset asked for before any bytes arrived (409 naming the upload).
    expect(overCap.status).toBe(400);
    expect(await overCap.text()).toContain('EntityTooLarge');
    expect(forged.status).toBe(403);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ field: 'uploadId' });
    expect(uploadsStored()).toEqual(before);
  });

  it.each([
    [{ filename: 'orders.csv', bytes: 60 * 1024 * 1024 }, 413, 'bytes'],
    [{ filename: 'orders.xls', bytes: 1000 }, 400, 'filename'],
    [{ filename: '../orders.csv', bytes: 1000 }, 400, 'filename'],
    [{ filename: 'orders.csv', bytes: 0 }, 400, 'bytes'],
    [{ filename: 'orders.csv', bytes: 1.5 }, 400, 'bytes'],
    [{ filename: 'orders.csv' }, 400, 'bytes'],
    [{ filename: 'orders.csv', bytes: 10, extra: true }, 400, 'body'],
  ])('refuses the upload request %j with %i naming %s', async (body, status, field) => {
    const response = await postJson('/v1/datasets/uploads', body);

    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ field });
  });

  it('makes a dataset of an upload only for the user who asked for it', async () => {
    // Prepare
    const bytes = readFileSync(join(dir, 'orders.csv'));
    const grant = await grantFor('orders.csv', bytes.length);
    expect((await send(grant, bytes)).status).toBe(204);
    const other = await fixture.stack.issuer.sign({ sub: 'someone-else', name: 'Other' });

    // Act
    const theirs = await claim({ uploadId: grant.uploadId }, other);
    const unknown = await claim({ uploadId: `up_${'A'.repeat(22)}` });
    const malformed = await claim({ uploadId: 'not-an-upload' });
    const mine = await claim({ uploadId: grant.uploadId });

    // Assess
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ field: 'uploadId' });
    expect(mine.status).toBe(201);
    expect(await mine.json()).toMatchObject({ rows: 10_000 });
  });
});
