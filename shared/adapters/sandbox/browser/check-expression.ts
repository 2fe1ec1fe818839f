import type { BrowserCheck, CheckOutcome } from '../../../ports/browser-runner.js';
import { cap } from './job-record.js';

export const VALUE_CHARS = 500;
const ERROR_CHARS = 1000;

/**
 * The source evaluated on the page for a check: the expression is awaited in the page's main world
 * (as a grader's `page.evaluate` does), compared with `=== true` there, and what it returned comes
 * back as JSON text, so a DOM node or a cyclic value cannot break the answer; the text is cut in
 * the page, so a huge value never crosses the pipe.
 */
export function checkExpression(js: string): string {
  const expression = js.trim().replace(/;+$/, '');
  return `(async () => {
const __teValue = await (
${expression}
);
let __teJson;
try { __teJson = JSON.stringify(__teValue); } catch { __teJson = undefined; }
let __teText;
try { __teText = typeof __teJson === 'string' ? __teJson : String(__teValue); } catch { __teText = typeof __teValue; }
return { passed: __teValue === true, value: __teText.slice(0, ${VALUE_CHARS + 1}) };
})()`;
}

export function outcomeOf(check: BrowserCheck, answer: unknown): CheckOutcome {
  const { passed, value } = (answer ?? {}) as { passed?: unknown; value?: unknown };
  const outcome: CheckOutcome = { id: check.id, status: passed === true ? 'passed' : 'failed' };
  if (typeof value === 'string') outcome.value = cap(value, VALUE_CHARS);
  return outcome;
}

export function errorOutcome(check: BrowserCheck, error: unknown): CheckOutcome {
  const message = error instanceof Error ? error.message : String(error);
  // Playwright prefixes its own call name and appends a call log; the page's message is the first line.
  const firstLine = (message.split('\n')[0] ?? '').replace(/^page\.evaluate:\s*/, '');
  return { id: check.id, status: 'error', error: cap(firstLine, ERROR_CHARS) };
}

export function notRunOutcome(check: BrowserCheck, why: string): CheckOutcome {
  return { id: check.id, status: 'failed', error: why };
}
