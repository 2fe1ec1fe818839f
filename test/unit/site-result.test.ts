import { describe, expect, it } from 'vitest';
import {
  fitResult,
  isSearchInvocation,
  isSiteInvocation,
  MAX_RESULT_BYTES,
  MAX_SITE_CHECKS,
  runResultSchema,
  sandboxInvocationSchema,
} from '../../shared/domain/sandbox-job.js';
import type { RunResult, SiteOutcome } from '../../shared/domain/types.js';
import { encodeSiteBundle } from '../../shared/kinds/task/site.js';
import { runSiteItem } from '../../shared/kinds/task/use-cases/run-site-item.js';
import type { BrowserRunner, BrowserRunResult } from '../../shared/ports/browser-runner.js';
import type { ContentTransfer } from '../../shared/ports/content-transfer.js';

const fixInvocation = {
  item: {
    sessionId: 's1',
    round: 1,
    index: 1,
    role: 'candidate',
    source: 'offline',
    code: { text: 'print(1)' },
  },
  run: { filename: 'program.py', harness: { kind: 'runs' }, original: { text: 'print(0)' } },
};
const siteInvocation = {
  item: {
    sessionId: 't1',
    round: 1,
    index: 2,
    role: 'candidate',
    source: 'gemini',
    site: { text: '{"files":[]}' },
  },
  run: { kind: 'site', checks: [{ id: 'c0', js: 'document.title === "x"' }] },
};

const searchInvocation = {
  search: {
    kind: 'repair-search',
    sessionId: 's2',
    round: 1,
    filename: 'main.py',
    program: { text: 'def f(n):\n    return n - 1\n' },
    test: { text: 'from main import f\nassert f(1) == 2\n' },
    budget: { maxMutants: 400, timeMs: 60_000, sliceMs: 8_000, maxPatches: 3 },
  },
};

describe('Schema: sandboxInvocationSchema', () => {
  it('accepts a repair search batch, told apart from the item kinds', () => {
    const search = sandboxInvocationSchema.parse(searchInvocation);
    expect(isSearchInvocation(search)).toBe(true);
    expect(isSiteInvocation(search)).toBe(false);
    expect(isSearchInvocation(sandboxInvocationSchema.parse(fixInvocation))).toBe(false);
    expect(search).toEqual(searchInvocation);
  });

  it.each([
    ['a search beside an item', { ...searchInvocation, item: fixInvocation.item }],
    [
      'a search with a field it does not take',
      { search: { ...searchInvocation.search, code: { text: 'x' } } },
    ],
    [
      'a search budget past its cap',
      {
        search: {
          ...searchInvocation.search,
          budget: { ...searchInvocation.search.budget, maxMutants: 10_000 },
        },
      },
    ],
    [
      'a search patch with three edits',
      {
        search: {
          ...searchInvocation.search,
          state: {
            ranked: [2],
            typeMismatch: false,
            evidence: 'test',
            caseTimeoutMs: 1000,
            listed: 1,
            singles: 1,
            offset: 1,
            tried: 1,
            spentMs: 10,
            patches: [
              {
                operator: 'binary',
                size: 1,
                order: 0,
                edits: [1, 2, 3].map((line) => ({ line, text: ['x\n'] })),
              },
            ],
          },
        },
      },
    ],
  ])('refuses %s', (_what, invocation) => {
    expect(sandboxInvocationSchema.safeParse(invocation).success).toBe(false);
  });

  it('accepts a fix invocation as it always was, and a site invocation, telling them apart by run.kind', () => {
    const fix = sandboxInvocationSchema.parse(fixInvocation);
    const site = sandboxInvocationSchema.parse(siteInvocation);
    expect(isSiteInvocation(fix)).toBe(false);
    expect(isSiteInvocation(site)).toBe(true);
    expect(site).toEqual(siteInvocation);
  });

  it.each([
    ['a site item with a fix run', { item: siteInvocation.item, run: fixInvocation.run }],
    ['a fix item with a site run', { item: fixInvocation.item, run: siteInvocation.run }],
    ['a site run with a fix field', { ...siteInvocation, run: { ...siteInvocation.run, filename: 'a.py' } }],
    ['a fix run with a kind', { ...fixInvocation, run: { ...fixInvocation.run, kind: 'fix' } }],
    ['a site item with code', { ...siteInvocation, item: { ...siteInvocation.item, code: { text: 'x' } } }],
    [
      'a site item without its site',
      { ...siteInvocation, item: { ...siteInvocation.item, site: undefined } },
    ],
    [
      'a check id given twice',
      {
        ...siteInvocation,
        run: { kind: 'site', checks: [...siteInvocation.run.checks, ...siteInvocation.run.checks] },
      },
    ],
    [
      'a check id outside the plain alphabet',
      { ...siteInvocation, run: { kind: 'site', checks: [{ id: 'a b', js: 'true' }] } },
    ],
    [
      'too many checks',
      {
        ...siteInvocation,
        run: {
          kind: 'site',
          checks: Array.from({ length: MAX_SITE_CHECKS + 1 }, (_, i) => ({ id: `c${i}`, js: 'true' })),
        },
      },
    ],
  ])('refuses %s', (_, invocation) => {
    expect(sandboxInvocationSchema.safeParse(invocation).success).toBe(false);
  });
});

/** A site result as large as the browser runner's caps allow, and then some. */
function hugeSiteResult(): RunResult {
  const list = (n: number, chars: number, tag: string) =>
    Array.from({ length: n }, (_, i) => `${tag} ${i} ${'é'.repeat(chars)}`.slice(0, chars));
  const site: SiteOutcome = {
    checks: Array.from({ length: MAX_SITE_CHECKS }, (_, i) => ({
      id: `check-${i}`,
      status: i % 3 === 0 ? 'passed' : i % 3 === 1 ? 'failed' : 'error',
      value: 'v'.repeat(500),
      error: 'e'.repeat(1000),
    })),
    consoleErrors: [...list(50, 1000, 'console'), '… 7 more'],
    pageErrors: list(50, 1000, 'page'),
    failedRequests: list(100, 500, '/missing'),
    refusedRequests: list(100, 300, 'external request not verifiable offline: host'),
    cdnSubstitutions: list(50, 500, 'cdn'),
    bytes: 123_456,
  };
  return {
    status: 'failed',
    exitCode: null,
    durationMs: 1200,
    stdout: '',
    stderr: 's'.repeat(2000),
    reason: '67 of 200 checks passed',
    site,
  };
}

describe('Function: fitResult — a site result', () => {
  it('keeps a huge site result within MAX_RESULT_BYTES, every check id and status kept, cut lists counted', () => {
    // Prepare
    const huge = hugeSiteResult();
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeGreaterThan(MAX_RESULT_BYTES);
    expect(runResultSchema.safeParse(huge).success).toBe(true);
    // Act
    const fitted = fitResult(huge);
    // Assess
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(MAX_RESULT_BYTES);
    expect(runResultSchema.safeParse(fitted).success).toBe(true);
    expect(fitted.site?.checks.map((c) => [c.id, c.status])).toEqual(
      huge.site?.checks.map((c) => [c.id, c.status]),
    );
    expect(fitted.site?.bytes).toBe(123_456);
    expect(fitted.status).toBe('failed');
    // The console list had 50 entries and had already counted 7 more: every one left out is counted.
    const consoleErrors = fitted.site?.consoleErrors ?? [];
    const kept = consoleErrors.length - 1;
    expect(consoleErrors.at(-1)).toBe(`… ${50 - kept + 7} more`);
    expect(fitted.site?.failedRequests.at(-1)).toBe(
      `… ${100 - ((fitted.site?.failedRequests.length ?? 0) - 1)} more`,
    );
  });

  it('cuts no more than it must: a site result that fits is returned as is', () => {
    const small = hugeSiteResult();
    small.site = {
      ...(small.site as SiteOutcome),
      checks: small.site?.checks.slice(0, 3) ?? [],
      consoleErrors: ['x'],
    };
    small.site.pageErrors = [];
    small.site.failedRequests = [];
    small.site.refusedRequests = [];
    small.site.cdnSubstitutions = [];
    expect(fitResult(small)).toEqual(small);
  });

  it('ends even when nothing it may cut makes the result fit (the streams go to the last character)', () => {
    const result: RunResult = {
      status: 'failed',
      exitCode: 1,
      durationMs: 1,
      stdout: 'o',
      stderr: 'e',
      reason: 'r'.repeat(500),
    };
    const fitted = fitResult(result, 100);
    expect(fitted).toMatchObject({ stdout: '', stderr: '', stdoutTruncated: true, stderrTruncated: true });
  }, 2000);

  it('refuses a site result beyond the bounds the notifier accepts', () => {
    const huge = hugeSiteResult();
    const site = huge.site as SiteOutcome;
    expect(
      runResultSchema.safeParse({ ...huge, site: { ...site, pageErrors: Array(102).fill('x') } }).success,
    ).toBe(false);
    expect(
      runResultSchema.safeParse({ ...huge, site: { ...site, consoleErrors: ['x'.repeat(1001)] } }).success,
    ).toBe(false);
    expect(runResultSchema.safeParse({ ...huge, site: { ...site, bytes: -1 } }).success).toBe(false);
  });
});

/** The browser's answer, as the port gives it, for the mapping alone (the real browser is in the integration test). */
function browserAnswering(answer: Partial<BrowserRunResult>): BrowserRunner & { jobs: unknown[] } {
  const jobs: unknown[] = [];
  return {
    jobs,
    run: async (job) => {
      jobs.push(job);
      return {
        status: 'ran',
        checks: job.checks.map((c) => ({ id: c.id, status: 'passed' })),
        consoleErrors: [],
        pageErrors: [],
        failedRequests: [],
        refusedRequests: [],
        cdnSubstitutions: [],
        durationMs: 900,
        ...answer,
      };
    },
    capabilities: () => ({ level: 'ns', layers: ['net-namespace', 'seccomp'], browser: 'chromium' }),
    close: async () => undefined,
  };
}

const inline: ContentTransfer = {
  read: async (content) => ('text' in content ? content.text : Promise.reject(new Error('no URL here'))),
  upload: async () => undefined,
};
const twoChecks = [
  { id: 'title', js: 'document.title === "x"' },
  { id: 'count', js: 'document.querySelectorAll("li").length === 3' },
];
const invocation = (checks = twoChecks) => ({
  item: {
    sessionId: 't1',
    round: 1,
    index: 1,
    role: 'candidate' as const,
    site: { text: encodeSiteBundle([{ path: 'index.html', content: Buffer.from('<title>x</title>') }]) },
  },
  run: { kind: 'site' as const, checks },
});
const run = (browser: BrowserRunner, checks = twoChecks) =>
  runSiteItem({ browser: async () => browser, transfer: inline, timeoutMs: 7000 }, invocation(checks));

describe('Function: runSiteItem — the verdict of a browser run', () => {
  it('passes a site only when every check passed, and hands the browser the bundle, the checks and the wall clock', async () => {
    const browser = browserAnswering({ consoleErrors: ['boom'], pageErrors: ['ReferenceError: x'] });
    const result = await run(browser);
    expect(result).toMatchObject({ status: 'passed', exitCode: null, stdout: '', durationMs: 900 });
    expect(result.crashedBy).toBeUndefined();
    expect(result.reason).toBe('2 of 2 checks passed');
    expect(result.stderr).toBe('page error: ReferenceError: x\nconsole error: boom');
    expect(result.site).toMatchObject({
      consoleErrors: ['boom'],
      bytes: Buffer.byteLength('<title>x</title>'),
    });
    expect(result.containment).toEqual({ level: 'ns', layers: ['net-namespace', 'seccomp'] });
    expect(browser.jobs).toEqual([
      {
        files: [{ path: 'index.html', content: Buffer.from('<title>x</title>') }],
        checks: twoChecks,
        timeoutMs: 7000,
      },
    ]);
    expect(runResultSchema.safeParse(result).success).toBe(true);
  });

  it('fails a site with one check failed or in error, and one with no checks at all', async () => {
    const oneFailed = await run(
      browserAnswering({
        checks: [
          { id: 'title', status: 'passed' },
          { id: 'count', status: 'error', error: 'x' },
        ],
      }),
    );
    expect(oneFailed.status).toBe('failed');
    expect(oneFailed.reason).toBe('1 of 2 checks passed');
    const none = await run(browserAnswering({}), []);
    expect(none.status).toBe('failed');
    expect(none.reason).toBe('the round has no checks');
  });

  it('answers timeout for a page that hung, with no crash cause', async () => {
    const result = await run(
      browserAnswering({ status: 'timeout', reason: 'the job passed its wall clock of 7000 ms' }),
    );
    expect(result.status).toBe('timeout');
    expect(result.crashedBy).toBeUndefined();
    expect(result.reason).toContain('wall clock');
  });

  it('counts a page that died against the site, a browser that never started against the sandbox', async () => {
    const page = await run(
      browserAnswering({ status: 'crashed', crashedBy: 'program', reason: 'the page crashed' }),
    );
    expect(page).toMatchObject({ status: 'crashed', crashedBy: 'program', reason: 'the page crashed' });
    const launch = await run(
      browserAnswering({ status: 'crashed', crashedBy: 'sandbox', reason: 'no browser' }),
    );
    expect(launch).toMatchObject({ status: 'crashed', crashedBy: 'sandbox' });
    const unattributed = await run(browserAnswering({ status: 'crashed' }));
    expect(unattributed.crashedBy).toBe('sandbox');
    const unavailable = await runSiteItem(
      { browser: () => Promise.reject(new Error('Chromium missing')), transfer: inline, timeoutMs: 7000 },
      invocation(),
    );
    expect(unavailable).toMatchObject({ status: 'crashed', crashedBy: 'sandbox' });
    expect(unavailable.reason).toContain('Chromium missing');
  });

  it('refuses a bundle that is not a safe site before any browser runs', async () => {
    const browser = browserAnswering({});
    const bad = invocation();
    bad.item.site = { text: JSON.stringify({ files: [{ path: '../x', base64: '' }] }) };
    await expect(
      runSiteItem({ browser: async () => browser, transfer: inline, timeoutMs: 7000 }, bad),
    ).rejects.toThrow(/not a safe site path/);
    expect(browser.jobs).toEqual([]);
  });
});
