import type { QuotaHold } from './quota.js';

/** Verdict of one run of code against a harness in a sandbox. */
export type Verdict = 'passed' | 'failed' | 'timeout' | 'crashed' | 'blocked';

/**
 * Who brought a crash on: the `program` (a memory, CPU or output limit, a fatal signal: the code ran
 * and misbehaved) or the `sandbox` (it could not start, lost the run, or its function failed). Only
 * the first is evidence about the program.
 */
export type CrashCause = 'program' | 'sandbox';

/**
 * Lifecycle of a session, as clients see it. `partial` is the task kind's: the best candidate passed
 * some checks, not all (or some could not be verified); it is still the one delivered.
 */
export type SessionStatus =
  | 'queued'
  | 'running'
  | 'verified'
  | 'partial'
  | 'no_fix'
  | 'not_reproduced'
  | 'failed';

export const TERMINAL_STATUSES: readonly SessionStatus[] = [
  'verified',
  'partial',
  'no_fix',
  'not_reproduced',
  'failed',
];

/** The problem kinds the spine runs; a session without one is a `fix`. */
export type SessionKind = 'fix' | 'task' | 'transform';

/** What a client asks to have fixed. Defaults are applied by the request schema. */
export interface FixProblem {
  code: string;
  filename: string;
  error?: string;
  test?: string;
  /** Verify mode: the client supplies the candidates and no generator runs. */
  candidates?: string[];
  maxRounds: number;
}

/** The harness every run of a session is judged by. */
export interface Harness {
  /** `test`: a reproduce_issue.py decides; `runs`: the program exiting 0 is the only evidence. */
  kind: 'test' | 'runs';
  /** Contents of reproduce_issue.py when kind is `test` (absent once expired from the artifact store). */
  test?: string;
  /** Where the test came from: the client, or a generator (provider name). */
  origin: string;
  /** The test's text has expired from the artifact store. */
  expired?: boolean;
}

/** The outcome of running code in a sandbox. */
export interface RunResult {
  status: Verdict;
  exitCode: number | null;
  durationMs: number;
  stdout: string;
  stderr: string;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  /** Set for a `crashed` run; a crash with no cause recorded is the sandbox's. */
  crashedBy?: CrashCause;
  /** Why the verdict is what it is, in one line (e.g. the blocked rule and line, the signal). */
  reason?: string;
  /**
   * Full (sanitized) logs up to a larger cap, for the artifact store. The sandbox use case moves them
   * out of the result before it is stored or pushed.
   */
  logs?: { stdout: string; stderr: string };
  /**
   * Constructs the policy let through because the client's original program uses them, each with
   * why: `eval (call): present in the original`.
   */
  allowed?: string[];
  /** The containment the sandbox measured and applied for this run (level and layers), for /health. */
  containment?: { level: string; layers: string[] };
  /** A site checked in the browser: each check's outcome and what the page did. */
  site?: SiteOutcome;
  /**
   * The files a job asked to collect, as the program left them (UTF-8); a file it did not leave, or
   * left too large or not as a plain file, is absent and named in `collectErrors`.
   */
  collected?: Record<string, string>;
  collectErrors?: string[];
  /** A transform's output as the sandbox measured it. */
  transform?: TransformOutcome;
}

/** A transform candidate's output, measured by trusted code from the CSV the program's run wrote. */
export interface TransformOutcome {
  columns: Array<{ name: string; dtype: string }>;
  rows: number;
  /** Output columns in which every value is missing. */
  nullColumns: string[];
  /** Rows that repeat an earlier row's values in the checks' `uniqueBy` columns. */
  duplicateKeyRows: number;
  /** The first rows, as text cells (null: missing), capped. */
  preview: Array<Array<string | null>>;
  csvBytes: number;
  /** Whether the full CSV went up to the store (a lost upload leaves only the preview). */
  stored: boolean;
  /** Why the output could not be measured (not a CSV, too large): the run then failed its checks. */
  error?: string;
}

/** One check evaluated on a site's page. */
export interface CheckOutcome {
  id: string;
  /** `error`: evaluating the check threw (the message is in `error`); `failed`: anything but `true`, or never run. */
  status: 'passed' | 'failed' | 'error';
  /** JSON of what the check returned, capped. */
  value?: string;
  error?: string;
}

/**
 * What a browser run of a site saw. Lists are capped; a list cut short ends with `… N more`.
 */
export interface SiteOutcome {
  checks: CheckOutcome[];
  /** `console.error` and the browser's own error messages (failed loads). */
  consoleErrors: string[];
  /** Uncaught exceptions and unhandled rejections. */
  pageErrors: string[];
  /** Same-origin requests for files the site does not have. */
  failedRequests: string[];
  /** `external request not verifiable offline: <host>`, once per host. */
  refusedRequests: string[];
  /** CDN files served from another version (or file) than the URL asks for. */
  cdnSubstitutions: string[];
  /** The site's total size (the judge's last tie-breaker). */
  bytes: number;
}

/** A run the sandbox itself failed (it could not start, or its function failed): never evidence. */
export function sandboxCrash(reason: string): RunResult {
  return {
    status: 'crashed',
    crashedBy: 'sandbox',
    exitCode: null,
    durationMs: 0,
    stdout: '',
    stderr: '',
    reason,
  };
}

/** One proposed replacement for the program. */
export interface CandidateProposal {
  code: string;
  /** Who proposed it: `client`, `offline`, `gemini`, `deepseek`, … */
  source: string;
  title?: string;
  rationale?: string;
}

/**
 * What the controller learnt from a failed run, fed back to the generator on the next round. Index 0
 * is the original program's own run: its traceback, when the client sent none.
 */
export interface CandidateFeedback {
  index: number;
  code: string;
  status: Verdict;
  exitCode: number | null;
  stderrTail: string;
  stdoutTail: string;
  /** The sandbox's one-line account of the verdict (a blocked rule, a harness that never finished…). */
  reason?: string;
}

/** A candidate as written by the controller: its proposal, its place, its change, and (once run) its result. */
export interface CandidateRecord extends CandidateProposal {
  index: number;
  round: number;
  diff: string;
  /** Lines added plus removed against the original (the judge's tie-breaker). */
  changedLines: number;
  /** The change was too large to diff line by line; `diff` is a full replacement. */
  fullReplacement?: boolean;
  result?: RunResult;
}

/** A run's verdict without its outputs: what the table holds (outputs live by reference). */
export type RunSummary = Omit<RunResult, 'stdout' | 'stderr' | 'logs'>;

/** What the judge needs of a candidate: no code, no outputs. */
export interface CandidateSummary {
  index: number;
  round: number;
  source: string;
  title?: string;
  rationale?: string;
  changedLines: number;
  fullReplacement?: boolean;
  result?: RunSummary;
}

/**
 * A candidate as read back. Code, diff and outputs live in the artifact store, which expires them
 * (a setting); `null` says a piece has expired, never an empty string passed off as content.
 */
export interface StoredCandidate extends CandidateSummary {
  code: string | null;
  diff: string | null;
  /** The run's capped stdout and stderr; null before the run, or once expired. */
  outputs: { stdout: string; stderr: string } | null;
}

/** The winner as the session records it; its diff is read from the candidate. */
export interface Winner {
  index: number;
  durationMs: number;
}

/** Session metadata as stored. Code and outputs live elsewhere (by reference). */
export interface SessionMeta {
  sessionId: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  filename: string;
  maxRounds: number;
  /** Rounds started so far. */
  rounds: number;
  /** Highest candidate index allocated so far (the baseline is index 0). */
  lastIndex: number;
  winner: Winner | null;
  /** Plain-language notes for the client, e.g. that a runs-to-exit-0 harness is weaker evidence. */
  notes: string[];
  /** Why the session ended failed, or why nothing was verified. */
  reason?: string;
  harnessKind?: Harness['kind'];
  harnessOrigin?: string;
  /** The WebSocket connection that created it, if any. */
  ownerConnectionId?: string;
  /**
   * The WebSocket connections following it, pushed every event. On the session's own item, so a
   * write that changes the session also says, atomically, who is to hear of it. Never shown.
   */
  subscribers?: string[];
  category?: ProblemCategory;
  /** Every model call made for this session: provider, latency, tokens. */
  calls?: ProviderCall[];
  /** How many times the local stack resumed this session after an interruption. */
  resumes?: number;
  /** Absent for a fix (sessions predate kinds). */
  kind?: SessionKind;
  /** A task round's identity and, once judged, each check's verdict. */
  task?: TaskRoundMeta;
  /** The repair search, once a round started it (it runs at most once a session). */
  search?: SearchRecord;
  /** The user who asked for it (a Principal's userId); only they may read, follow or share it. */
  owner?: string;
  /** The unit of the owner's daily allowance this session holds, and what became of it. */
  quota?: QuotaHold;
  /** The token of its share link while it is shared (shown to the owner only). */
  shareToken?: string;
}

/** What the session keeps of its repair search. */
export interface SearchRecord {
  round: number;
  status: 'running' | 'done' | 'failed';
  tried: number;
  /** Passing patches it proposed (each became a candidate). */
  patches: number;
  seconds?: number;
  stopped?: string;
}

/** The evaluator's task round a `task` session builds (its attempts are the session's rounds). */
export interface TaskRoundMeta {
  task: string;
  /** The evaluator's round: 1 builds, 2 and later revise. */
  round: number;
  nonce: string;
  email: string;
  evaluationUrl: string;
  /** Past this, no further attempt starts: the task must be reportable in time. */
  deadline: string;
  /** Per check, in the evaluator's order, once judged. */
  checks?: CheckVerdict[];
  /** The evaluator must be notified by then (10 minutes from the request, a setting). */
  notifyBy?: string;
  /** Publishing the winner, proving it live and reporting it; absent until the judge chose a site. */
  delivery?: TaskDelivery;
}

/** Where a judged round's delivery stands, stage by stage (the state machine moves it on). */
export type DeliveryStage =
  | 'waiting-for-previous-round'
  | 'publishing'
  | 'waiting-for-pages'
  | 'verifying-live'
  | 'notifying'
  | 'delivered'
  | 'failed';

/** A judged round's delivery: the verdict it delivers, where it was published, what the evaluator said. */
export interface TaskDelivery {
  stage: DeliveryStage;
  /** The judge's verdict of the winning site, which the round ends with once it is delivered. */
  judged: 'verified' | 'partial';
  judgedReason: string;
  judgedAt: string;
  publication?: {
    owner: string;
    repo: string;
    repoUrl: string;
    commitSha: string;
    pagesUrl: string;
    publishedAt: string;
  };
  /** The last Pages status read for the commit. */
  pages?: { status: 'building' | 'built' | 'errored'; live: boolean; checkedAt: string; reason?: string };
  /** The checks run again on what the live pages URL served. */
  live?: LiveCheck;
  /** Every POST to the evaluator, in order. */
  notifications: NotificationAttempt[];
  notifiedAt?: string;
  /** Why the delivery failed, or what it could not confirm. */
  reason?: string;
}

export interface LiveCheck {
  checkedAt: string;
  /** `passed` when every executable check passed on the live site; `unreachable` when it could not be fetched. */
  status: Verdict | 'unreachable';
  passed: number;
  total: number;
  /** Per executable check (its index among the evaluator's checks), as it fared live. */
  checks: Array<{ id: string; status: 'passed' | 'failed' | 'error' }>;
  /** Published files the pages URL did not serve byte for byte (missing, or other content). */
  mismatched: string[];
  reason?: string;
}

/** One POST of the round's result to the evaluator. */
export interface NotificationAttempt {
  at: string;
  /** The HTTP status, or null when no answer came (refused, timed out). */
  status: number | null;
  latencyMs: number;
  /** What went wrong, in one line (the answer's first characters, or the network error). */
  error?: string;
}

/** One of the evaluator's checks after judging, kept with its own words. */
export interface CheckVerdict {
  text: string;
  /** How it was made executable: given as `js:`, by a rule, by a model; `none`: it could not be. */
  how: 'given' | 'rule' | 'model' | 'none';
  /** `unverified`: nothing could check it; it never counts as passed. */
  status: 'passed' | 'failed' | 'unverified';
  /** Why it failed or stayed unverified, in one line. */
  why?: string;
}

/** A record of one call to a model, stored on the session. */
export interface ProviderCall {
  provider: string;
  model?: string;
  purpose: 'categorize' | 'generate' | 'compile-checks';
  ok: boolean;
  latencyMs: number;
  inputTokens?: number;
  outputTokens?: number;
  error?: string;
}

export interface ProblemCategory {
  kind: 'syntax' | 'runtime' | 'logic' | 'import' | 'environment';
  summary: string;
  /** `local` when classified without a model call, else the provider's name. */
  by: string;
}
