import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIR } from '../../infra/local/console-files.js';
import { confineToOrigin } from '../support/confined-context.js';
import { type StackFixture, startStackFixture } from '../support/local-stack-fixture.js';

// The callbacks handed to page.evaluate run in the browser. This compilation has no DOM library
// (the engine's own code must not see one), so the browser globals they use are declared here,
// loosely: the browser types them.
// biome-ignore lint/suspicious/noExplicitAny: objects of the page, typed by the browser
type PageObject = any;
declare const window: PageObject;
declare const document: PageObject;
declare const DataTransfer: PageObject;
declare const DragEvent: PageObject;
declare const File: PageObject;
type Element = PageObject;

// The console's Transform screen in real headless Chromium against the real local stack: a CSV
// dropped, its columns and rows, an instruction refined into a specification and a program as they
// stream, a verified run and the downloaded CSV. Needs the console built (`npm run build:web`).

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '../../test-artifacts/web');

const INSTRUCTION = 'keep orders from 2024, total the amount per region, largest first';
const ORDERS = [
  'order_id,region,ordered,amount',
  '1,north,2024-01-05,120.5',
  '2,south,2023-12-30,80',
  '3,north,2024-03-02,40',
  '4,east,2024-02-11,300',
  '5,south,2024-06-15,55.25',
  '6,west,2024-07-01,10',
  '7,east,2023-05-05,999',
  '',
].join('\n');
const COLUMNS = ['order_id', 'region', 'ordered', 'amount'];
const DTYPES = ['int64', 'float64', 'bool', 'datetime64[ns]', 'object'];

let fixture: StackFixture;
let browser: Browser;
let origin: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(CONSOLE_DIR, 'index.html')))
    throw new Error(`the web console is not built (${CONSOLE_DIR}): run npm run build:web`);
  await mkdir(SHOTS, { recursive: true });
  [fixture, browser] = await Promise.all([
    startStackFixture({ SANDBOX_TIMEOUT_MS: '20000' }),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  origin = fixture.stack.httpUrl;
});

afterAll(async () => {
  await browser?.close();
  await fixture?.stop();
});

async function newPage(
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  // Anything off the stack's origin is refused, so a miss is loud.
  await confineToOrigin(context, origin);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return { context, page };
}

/** Drops a file on the drop zone as a person dragging it from their desktop would (a DataTransfer drop). */
async function dropFile(page: Page, name: string, type: string, text: string): Promise<void> {
  await page.evaluate(
    ({ name, type, text }) => {
      const zone = document.querySelector('[data-testid=dataset-drop]');
      if (!zone) throw new Error('no drop zone');
      const data = new DataTransfer();
      data.items.add(new File([text], name, { type }));
      for (const kind of ['dragenter', 'dragover', 'drop'])
        zone.dispatchEvent(new DragEvent(kind, { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { name, type, text },
  );
}

const editorValue = (page: Page, id: string) =>
  page.evaluate((editor) => window.__te?.editors[editor]?.getValue() ?? null, id);

/** The console's own alert (Monaco and Next.js keep empty role=alert regions of their own). */
const apiAlert = (page: Page) => page.getByRole('alert').filter({ hasText: 'Error:' });

/** Waits for the uploaded dataset's table; an alert instead fails with what it says. */
async function datasetShown(page: Page): Promise<void> {
  await page.locator('[data-testid=dataset]').or(apiAlert(page)).first().waitFor({ timeout: 20_000 });
  if ((await page.getByTestId('dataset').count()) === 0)
    throw new Error(`the upload was refused: ${await apiAlert(page).innerText()}`);
}

/** A streamed answer read as an API client would: the chunks joined, or the stream's error. */
async function streamed(path: string, body: object): Promise<{ text: string; error?: string }> {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  let text = '';
  for (const line of (await response.text()).split('\n')) {
    if (!line.startsWith('data:')) continue;
    const event = JSON.parse(line.slice(5)) as { chunk?: string; error?: string; done: boolean };
    if (event.error) return { text, error: event.error };
    text += event.chunk ?? '';
  }
  return { text };
}

/** A table's body as the page shows it: a missing cell is null, the rest its text. */
function tableCells(page: Page, testId: string): Promise<Array<Array<string | null>>> {
  return page
    .locator(`[data-testid=${testId}] tbody tr`)
    .evaluateAll((rows: Element[]) =>
      rows.map((row: Element) =>
        [...row.querySelectorAll('td')].map((cell: Element) =>
          cell.querySelector('[title=missing]') ? null : cell.innerText.trim(),
        ),
      ),
    );
}

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF or LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** A CSV field and a shown cell say the same: equal text, equal numbers (120.5 and 120.50), or both missing. */
function sameValue(csv: string, shown: string | null): boolean {
  if (shown === null) return csv === '';
  if (csv === shown) return true;
  if (csv.toLowerCase() === shown.toLowerCase() && ['true', 'false'].includes(csv.toLowerCase())) return true;
  const a = Number(csv);
  const b = Number(shown);
  return csv !== '' && shown !== '' && Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) < 1e-9;
}

describe('console: transform', () => {
  it('drops a CSV, refines and generates as they stream, runs a verified job and downloads its CSV', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/`);
    // The header links to the screen.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Transform' }).click();
    await page.waitForURL(/\/transform$/);
    await expect.poll(() => page.getByRole('heading', { name: 'Transform a table' }).isVisible()).toBe(true);

    // Dropped: the columns with their dtypes and every row (fewer than the preview's ten).
    await dropFile(page, 'orders.csv', 'text/csv', ORDERS);
    await datasetShown(page);
    expect(
      await page.locator('[data-testid=dataset-preview] [data-testid=column-name]').allInnerTexts(),
    ).toEqual(COLUMNS);
    const dtypes = await page
      .locator('[data-testid=dataset-preview] [data-testid=column-dtype]')
      .allInnerTexts();
    expect(dtypes).toHaveLength(COLUMNS.length);
    for (const dtype of dtypes) expect(DTYPES).toContain(dtype);
    expect(dtypes[0]).toBe('int64');
    expect(dtypes[3]).toBe('float64');
    const uploaded = await tableCells(page, 'dataset-preview');
    expect(uploaded).toHaveLength(7);
    expect(uploaded[0]?.[1]).toBe('north');
    const datasetId = (await page.getByTestId('dataset').getAttribute('data-dataset')) ?? '';
    expect(datasetId).not.toBe('');

    // Refine: the specification streams into its text area, as the API streams it.
    await page.getByLabel('Instruction').fill(INSTRUCTION);
    await page.getByRole('button', { name: 'Refine', exact: true }).click();
    // Done streaming: no longer busy, and something written.
    await page.waitForFunction(
      () => {
        const area = document.querySelector('#spec');
        return area?.getAttribute('aria-busy') === 'false' && area.value !== '';
      },
      null,
      { timeout: 30_000 },
    );
    const spec = await page.getByLabel('Specification').inputValue();
    const refined = await streamed('/v1/transforms/refine', { datasetId, instruction: INSTRUCTION });
    expect(refined.error).toBeUndefined();
    expect(spec).toBe(refined.text);
    expect(spec).toContain('region');
    expect(await apiAlert(page).count()).toBe(0);

    // Generate: the program streams into the editor.
    await page.getByRole('button', { name: 'Generate code', exact: true }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=program-pane]')?.getAttribute('aria-busy') === 'false' &&
        !!window.__te?.editors.transform?.getValue(),
      null,
      { timeout: 30_000 },
    );
    const code = (await editorValue(page, 'transform')) ?? '';
    const generated = await streamed('/v1/transforms/generate', { datasetId, spec });
    expect(generated.error).toBeUndefined();
    expect(code).toBe(generated.text);
    expect(code).toContain('def transform');
    await page.screenshot({ path: join(SHOTS, 'transform-code.png'), fullPage: true });

    // Run: candidates fill in their verdicts and checks; the job is verified.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const status = page.getByTestId('job-status');
    await page.locator('[data-testid=job-status][data-status=verified]').waitFor({ timeout: 120_000 });
    const jobId = (await status.getAttribute('data-job')) ?? '';
    const passed = page.locator('[data-testid=transform-candidates] li[data-status=passed]');
    expect(await passed.count()).toBeGreaterThan(0);
    expect(await passed.first().locator('[data-check]').count()).toBeGreaterThan(0);
    expect(await passed.first().locator('[data-check][data-passed=false]').count()).toBe(0);

    // The winner's table: a row per region with 2024 orders, the largest total first.
    const result = await tableCells(page, 'result-table');
    const view = (await (await fetch(`${origin}/v1/transforms/${jobId}`)).json()) as {
      winner: { columns: Array<{ name: string }>; rows: number; preview: unknown[][] };
    };
    expect(result).toHaveLength(view.winner.preview.length);
    expect(result.length).toBe(view.winner.rows);
    expect(result.map((row) => row[0])).toEqual(['east', 'north', 'south', 'west']);

    // Download CSV: the whole output, the same data as the preview.
    const link = page.getByRole('link', { name: 'Download CSV' });
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('orders-transformed.csv');
    const csv = parseCsv(await readFile(await download.path(), 'utf8'));
    expect(csv[0]).toEqual(view.winner.columns.map((column) => column.name));
    const body = csv.slice(1);
    expect(body).toHaveLength(result.length);
    body.forEach((row, r) => {
      expect(row).toHaveLength(result[r]?.length ?? -1);
      row.forEach((value, c) => {
        expect(sameValue(value, result[r]?.[c] ?? null), `row ${r} column ${c}: ${value}`).toBe(true);
      });
    });
    await page.screenshot({ path: join(SHOTS, 'transform-verified.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 240_000);

  it('says plainly what to do with an unreadable file and an instruction it cannot understand', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin}/transform`);
    await page.getByLabel('Dataset file (CSV or XLSX)').setInputFiles({
      name: 'broken.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from('this is not a workbook'),
    });
    await apiAlert(page).waitFor({ timeout: 20_000 });
    expect(await apiAlert(page).innerText()).toContain('drop it again');
    expect(await page.getByTestId('dataset').count()).toBe(0);

    await page.getByLabel('Dataset file (CSV or XLSX)').setInputFiles({
      name: 'orders.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(ORDERS),
    });
    await datasetShown(page);
    expect(await apiAlert(page).count()).toBe(0);
    await page.getByLabel('Instruction').fill('make the spreadsheet sparkle like a unicorn');
    // From the keyboard: Tab to Refine, Enter presses it.
    await page.getByLabel('Instruction').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await apiAlert(page).waitFor({ timeout: 20_000 });
    const said = await apiAlert(page).innerText();
    expect(said).toContain('Rephrase the instruction');
    expect(await page.getByRole('button', { name: 'Refine', exact: true }).isEnabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'transform-errors.png'), fullPage: true });
    await context.close();
  }, 120_000);

  it('sends a file over the direct cap to storage, showing its progress, then shows it as a dataset', async () => {
    // Prepare: 150,000 rows, 4.3 MB, and an upload link slowed to 2 MB/s so its progress shows.
    const rows = Array.from(
      { length: 150_000 },
      (_, at) =>
        `${at + 1},${['north', 'south', 'east'][at % 3]},2024-0${(at % 9) + 1}-1${at % 10},${at % 997}.5`,
    );
    const big = Buffer.from(`${COLUMNS.join(',')}\n${rows.join('\n')}\n`);
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    const { context, page } = await newPage();
    const posted: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posted.push(new URL(request.url()).pathname);
    });
    await page.goto(`${origin}/transform`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 2_000_000,
    });

    // Act
    await page.getByLabel('Dataset file (CSV or XLSX)').setInputFiles({
      name: 'big-orders.csv',
      mimeType: 'text/csv',
      buffer: big,
    });

    // Assess: the upload's progress, then the dataset; by the presigned route, not in the request.
    await page.getByText(/^Uploading [\d.]+ MB of 4\.3 MB…$/).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('progressbar', { name: 'Upload progress' }).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'transform-upload-progress.png') });
    await datasetShown(page);
    expect(await page.getByTestId('dataset').innerText()).toContain('150000 rows, 4 columns');
    expect(posted).toEqual(['/v1/datasets/uploads', '/artifacts', '/v1/datasets']);
    await context.close();
  }, 120_000);

  it('works at 375 px wide: an instruction runs straight to a verified table', async () => {
    const { context, page } = await newPage({ width: 375, height: 740 });
    await page.goto(`${origin}/transform`);
    await page.getByLabel('Dataset file (CSV or XLSX)').setInputFiles({
      name: 'orders.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(ORDERS),
    });
    await datasetShown(page);
    await page.getByLabel('Instruction').fill(INSTRUCTION);
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await run.scrollIntoViewIfNeeded();
    const box = await run.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(375);
    await run.click();
    await page.locator('[data-testid=job-status][data-status=verified]').waitFor({ timeout: 120_000 });
    await page.getByRole('link', { name: 'Download CSV' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(SHOTS, 'transform-375.png'), fullPage: true });
    await context.close();
  }, 240_000);
});
