import type { CheckOutcome, CrashCause, SiteOutcome } from '../domain/types.js';

export type { CheckOutcome };

/** One file of a candidate site. */
export interface SiteFile {
  /** Relative to the site root, e.g. `index.html`, `data/x.json`; no leading slash, no `..`. */
  path: string;
  content: Buffer;
}

/** A JS expression evaluated on the loaded page; it passes only if it returns exactly `true` (awaited). */
export interface BrowserCheck {
  id: string;
  js: string;
}

/** One site, served under a fixed origin and checked in a real headless browser. */
export interface BrowserJob {
  files: SiteFile[];
  checks: BrowserCheck[];
  /** The page opened first. @default 'index.html' */
  entry?: string;
  /** Wall clock for the whole job (browser start, load, every check); the browser's tree is killed when it passes. */
  timeoutMs: number;
}

/** What the browser saw (the domain's site outcome but its size, which the site has), and how the job ended. */
export interface BrowserRunResult extends Omit<SiteOutcome, 'bytes'> {
  /**
   * `ran`: the page loaded and every check was evaluated. `timeout`: the job passed its wall clock
   * (a hung page, an endless loop). `crashed`: the page or the browser died (out of memory) or could
   * not start. Checks not run by then count `failed`.
   */
  status: 'ran' | 'timeout' | 'crashed';
  /**
   * Set for `crashed`: `program` when the site brought it on (the page or the browser died during
   * the job: out of memory, a renderer fault), `sandbox` when the job never got a browser (it could
   * not be prepared, or Chromium did not start).
   */
  crashedBy?: CrashCause;
  durationMs: number;
  reason?: string;
}

/** What containment the runner applies, for `/health` and the bench. */
export interface BrowserCapabilities {
  level: string;
  layers: string[];
  browser: string;
}

/** Port: checks a static site in a real browser. Never throws for anything the site does. */
export interface BrowserRunner {
  run(job: BrowserJob): Promise<BrowserRunResult>;
  capabilities(): BrowserCapabilities;
  /** Kills every browser still running and refuses further jobs. */
  close(): Promise<void>;
}
