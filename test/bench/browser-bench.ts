import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createBrowserRunner } from '../../shared/adapters/sandbox/browser/index.js';
import type { BrowserJob } from '../../shared/ports/browser-runner.js';
import type { BenchRow } from './sandbox-bench.js';

const ITERATIONS = 7;
const HTML = '<!DOCTYPE html><title>bench</title><p>bench</p>';
const JOB: BrowserJob = {
  files: [{ path: 'index.html', content: Buffer.from(HTML) }],
  checks: [{ id: 'title', js: 'document.title === "bench"' }],
  timeoutMs: 30_000,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Chromium with no containment of ours: launch, load the same page from a route, one evaluate, close. */
async function bareChromium(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-gpu',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.route('**/*', (route) => route.fulfill({ contentType: 'text/html', body: HTML }));
    await page.goto('https://site.truth-engine.test/', { waitUntil: 'load' });
    if ((await page.evaluate('document.title === "bench"')) !== true)
      throw new Error('bare page did not load');
  } finally {
    await browser.close();
  }
}

/**
 * What one browser job costs for a trivial site: a bare Chromium start + page + close, against the
 * runner's whole job (wrapper, namespaces, uid, fresh profile, load + network idle, one check,
 * kill and cleanup), interleaved, median of 7, with the runner's own measured duration beside it.
 */
export async function browserBench(): Promise<BenchRow[]> {
  const workRoot = join(tmpdir(), `te-browser-bench-${process.pid}`);
  const runner = await createBrowserRunner({ workRoot });
  try {
    const bare: number[] = [];
    const job: number[] = [];
    const reported: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      let started = performance.now();
      await bareChromium();
      bare.push(performance.now() - started);
      started = performance.now();
      const result = await runner.run(JOB);
      job.push(performance.now() - started);
      reported.push(result.durationMs);
      if (result.checks[0]?.status !== 'passed') throw new Error(`bench job did not pass: ${result.reason}`);
    }
    const reference = median(bare);
    const level = runner.capabilities().level;
    return [
      { name: 'bare Chromium: launch, page, evaluate, close', ms: reference, ratio: 1 },
      {
        name: `browser job (${level}), wall clock incl. cleanup`,
        ms: median(job),
        ratio: median(job) / reference,
      },
      {
        name: `browser job (${level}), durationMs reported`,
        ms: median(reported),
        ratio: median(reported) / reference,
      },
    ];
  } finally {
    await runner.close();
    await rm(workRoot, { recursive: true, force: true });
  }
}
