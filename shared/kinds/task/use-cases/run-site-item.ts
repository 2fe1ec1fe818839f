import { fitResult, type SiteInvocation } from '../../../domain/sandbox-job.js';
import { type RunResult, sandboxCrash } from '../../../domain/types.js';
import type { BrowserRunner, BrowserRunResult } from '../../../ports/browser-runner.js';
import type { ContentTransfer } from '../../../ports/content-transfer.js';
import { decodeSiteBundle, siteBytes } from '../site.js';

export interface RunSiteItemDeps {
  /** The browser runner, started on first use; a rejection means no browser can run here. */
  browser: () => Promise<BrowserRunner>;
  transfer: ContentTransfer;
  /** A site job's wall clock: browser start, load and every check. */
  timeoutMs: number;
}

/** The stderr of a site run: what went wrong on the page, for a human, in a few lines. */
const SUMMARY_CHARS = 2000;

/**
 * The sandbox's use case for a task round's item: checks one site (the baseline or a candidate) in
 * the browser, with nothing but what the invocation hands it.
 *
 * 1. Read the site bundle (inline, or through its presigned URL) and decode it.
 * 2. Run it in the browser with the round's checks under the site job's wall clock.
 * 3. Answer a verdict as every sandbox run does: `passed` only when every check ran and returned
 *    `true`; a page that hung is a `timeout`, one that died a crash of the program; a browser that
 *    could not start is the sandbox's crash, never evidence about the site. The result is cut to
 *    fit the state payload.
 */
export async function runSiteItem(deps: RunSiteItemDeps, { item, run }: SiteInvocation): Promise<RunResult> {
  const files = decodeSiteBundle(await deps.transfer.read(item.site));
  let browser: BrowserRunner;
  try {
    browser = await deps.browser();
  } catch (error) {
    return sandboxCrash(`the browser sandbox could not start: ${(error as Error).message}`);
  }
  const ran = await browser.run({ files, checks: run.checks, timeoutMs: deps.timeoutMs });
  const { level, layers } = browser.capabilities();
  return fitResult({
    ...verdictOf(ran),
    durationMs: ran.durationMs,
    exitCode: null,
    stdout: '',
    stderr: summary(ran),
    site: {
      checks: ran.checks,
      consoleErrors: ran.consoleErrors,
      pageErrors: ran.pageErrors,
      failedRequests: ran.failedRequests,
      refusedRequests: ran.refusedRequests,
      cdnSubstitutions: ran.cdnSubstitutions,
      bytes: siteBytes(files),
    },
    // The result carries the containment the browser runner applied, so /health reports it.
    containment: { level, layers },
  });
}

function verdictOf(ran: BrowserRunResult): Pick<RunResult, 'status' | 'crashedBy' | 'reason'> {
  const passed = ran.checks.filter((check) => check.status === 'passed').length;
  const total = ran.checks.length;
  if (ran.status === 'timeout') return { status: 'timeout', reason: ran.reason ?? 'the site job timed out' };
  if (ran.status === 'crashed') {
    return {
      status: 'crashed',
      // A crash the runner did not attribute is not counted against the site.
      crashedBy: ran.crashedBy ?? 'sandbox',
      reason: ran.reason ?? 'the browser crashed',
    };
  }
  // With no check there is no evidence: nothing is called passed that was not checked.
  const allPassed = total > 0 && passed === total;
  const counted = total === 0 ? 'the round has no checks' : `${passed} of ${total} checks passed`;
  return {
    status: allPassed ? 'passed' : 'failed',
    reason: ran.reason === undefined ? counted : `${counted}; ${ran.reason}`,
  };
}

function summary(ran: BrowserRunResult): string {
  const lines = [
    ...ran.pageErrors.map((text) => `page error: ${text}`),
    ...ran.consoleErrors.map((text) => `console error: ${text}`),
    ...ran.failedRequests.map((text) => `missing file: ${text}`),
    ...ran.refusedRequests,
  ];
  const text = lines.join('\n');
  return text.length <= SUMMARY_CHARS ? text : `${text.slice(0, SUMMARY_CHARS - 1)}…`;
}
