'use client';
import { useMemo, useState } from 'react';
import { ApiAlert } from '@/components/alert';
import { DiffView } from '@/components/monaco/editors';
import { Notes } from '@/components/notes';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { revokeShare, shareFix } from '@/lib/api';
import { reverseApply } from '@/lib/patch';
import { type Alert, alertOf, type ConsoleLine, useConsole } from '@/lib/store';
import type { CandidateView, FixView, RunStatus, SessionEvent, SessionStatus } from '@/lib/types';
import { TERMINAL } from '@/lib/types';
import { cn } from '@/lib/utils';

export const FINAL_LABEL: Record<string, string> = {
  verified: 'verified',
  no_fix: 'no fix',
  not_reproduced: 'not reproduced',
  failed: 'failed',
  partial: 'partial',
};

const VERDICT_CLASS: Record<string, string> = {
  passed: 'bg-green-100 text-green-900',
  failed: 'bg-red-100 text-red-900',
  timeout: 'bg-amber-100 text-amber-900',
  crashed: 'bg-amber-100 text-amber-900',
  blocked: 'bg-purple-100 text-purple-900',
  pending: 'bg-slate-100 text-slate-700',
};

function clock(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : `${Math.round(value)} ms`;
}

function describe(event: SessionEvent): { stage: string; provider: string; text: string } {
  switch (event.type) {
    case 'accepted':
      return { stage: 'accepted', provider: '', text: 'session stored, queued' };
    case 'progress':
      return {
        stage: event.stage,
        provider: event.provider ?? '',
        text: `round ${event.round}: ${event.message}${event.attempt ? ` (attempt ${event.attempt})` : ''}`,
      };
    case 'candidate':
      return {
        stage: 'candidate',
        provider: event.source,
        text: `${event.role === 'baseline' ? 'original program' : `candidate ${event.index}`} ${event.status} in ${ms(event.durationMs)}${event.reason ? `: ${event.reason}` : ''}`,
      };
    case 'result':
      return {
        stage: 'result',
        provider: '',
        text: `${FINAL_LABEL[event.status] ?? event.status}${event.reason ? `: ${event.reason}` : ''}`,
      };
    case 'error':
      return { stage: 'error', provider: '', text: event.message };
  }
}

function ConsoleLog({ lines }: { lines: ConsoleLine[] }) {
  return (
    <ol
      className="max-h-72 overflow-auto rounded-md bg-slate-950 p-2 font-mono text-xs text-slate-100"
      aria-label="Session events"
      data-testid="console"
    >
      {lines.length === 0 ? <li className="text-slate-400">waiting for events…</li> : null}
      {lines.map((line, i) => {
        const d = describe(line.event);
        return (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: lines are only ever appended.
            key={i}
            className="grid grid-cols-[7rem_6.5rem_minmax(0,1fr)] gap-2 py-0.5 sm:grid-cols-[7rem_6.5rem_6rem_minmax(0,1fr)]"
            data-type={line.event.type}
          >
            <time className="text-slate-400">{clock(line.at)}</time>
            <span className="text-sky-300">{d.stage}</span>
            <span className="hidden text-amber-200 sm:inline">{d.provider}</span>
            <span className="break-words">{d.text}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** One row of the candidate table: who made the run (`label`), its verdict, and a last column (`detail`). */
export interface CandidateRow {
  index: number;
  round: number | null;
  label: string;
  status: RunStatus | (string & {});
  durationMs: number | null;
  detail?: string | undefined;
}

function candidateRows(view: FixView | null, lines: ConsoleLine[]): CandidateRow[] {
  const rows = new Map<number, CandidateRow>();
  if (view?.baseline)
    rows.set(0, {
      index: 0,
      round: null,
      label: 'original',
      status: view.baseline.status,
      durationMs: view.baseline.durationMs,
      detail: view.baseline.reason,
    });
  for (const c of view?.candidates ?? [])
    rows.set(c.index, {
      index: c.index,
      round: c.round,
      label: c.source,
      status: c.status,
      durationMs: c.durationMs,
      detail: c.reason,
    });
  for (const { event } of lines) {
    if (event.type !== 'candidate') continue;
    const known = rows.get(event.index);
    if (known && known.status !== 'pending' && known.round !== null && known.round > event.round) continue;
    rows.set(event.index, {
      index: event.index,
      round: event.role === 'baseline' ? null : event.round,
      label: event.role === 'baseline' ? 'original' : event.source,
      status: event.status,
      durationMs: event.durationMs,
      detail: event.reason ?? known?.detail,
    });
  }
  return [...rows.values()].sort((a, b) => a.index - b.index);
}

export function Verdict({ status }: { status: RunStatus | (string & {}) }) {
  return (
    <span className={cn('rounded px-1.5 py-0.5 text-xs font-medium', VERDICT_CLASS[status])}>{status}</span>
  );
}

/** The runs of a session, the original program first: the session page's (reasons) and a share link's (changed lines). */
export function CandidateTable({
  rows,
  winner,
  detailHeading = 'Reason',
  testId = 'candidates',
}: {
  rows: CandidateRow[];
  winner: number | null;
  detailHeading?: string;
  testId?: string;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid={testId}>
        <caption className="sr-only">Candidates and their verdicts</caption>
        <thead className="text-xs text-slate-600">
          <tr>
            <th scope="col" className="py-1 pr-2">
              #
            </th>
            <th scope="col" className="py-1 pr-2">
              Candidate
            </th>
            <th scope="col" className="py-1 pr-2">
              Verdict
            </th>
            <th scope="col" className="py-1 pr-2">
              Time
            </th>
            <th scope="col" className="py-1">
              {detailHeading}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.index}
              className="border-t border-slate-200 align-top"
              data-index={row.index}
              data-status={row.status}
            >
              <td className="py-1 pr-2">{row.index}</td>
              <td className="py-1 pr-2">
                {row.index === 0
                  ? 'original program'
                  : `${row.label}${row.round ? `, round ${row.round}` : ''}`}
                {winner === row.index ? <strong className="ml-1 text-green-800">(winner)</strong> : null}
              </td>
              <td className="py-1 pr-2">
                <Verdict status={row.status} />
              </td>
              <td className="py-1 pr-2 whitespace-nowrap" data-testid="duration">
                {ms(row.durationMs)}
              </td>
              <td className="py-1 break-words text-slate-700">{row.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Output({
  label,
  text,
  truncated,
}: {
  label: string;
  text: string | null;
  truncated?: boolean | undefined;
}) {
  if (text === null) return <p className="text-xs text-slate-600">{label}: expired</p>;
  if (text === '') return <p className="text-xs text-slate-600">{label}: (empty)</p>;
  return (
    <div>
      <p className="text-xs font-medium text-slate-700">
        {label}
        {truncated ? ' (truncated)' : ''}
      </p>
      <pre className="max-h-48 overflow-auto rounded bg-slate-100 p-2 text-xs">{text}</pre>
    </div>
  );
}

function CandidateDetails({ candidate, winner }: { candidate: CandidateView; winner: boolean }) {
  return (
    <details className="rounded-md border border-slate-200 p-2" open={winner}>
      <summary className="cursor-pointer text-sm">
        Candidate {candidate.index} ({candidate.source}
        {candidate.title ? `: ${candidate.title}` : ''}) <Verdict status={candidate.status} />{' '}
        {ms(candidate.durationMs)}
        {winner ? ' — winner' : ''}
      </summary>
      <div className="mt-2 grid grid-cols-[minmax(0,1fr)] gap-2">
        {candidate.reason ? <p className="text-sm">Reason: {candidate.reason}</p> : null}
        {candidate.code !== null ? (
          <div>
            <p className="text-xs font-medium text-slate-700">Code</p>
            <pre className="max-h-64 overflow-auto rounded bg-slate-100 p-2 text-xs">{candidate.code}</pre>
          </div>
        ) : (
          <p className="text-xs text-slate-600">
            Code:{' '}
            {candidate.codeUrl ? (
              <a className="underline" href={candidate.codeUrl}>
                download
              </a>
            ) : (
              'expired'
            )}
          </p>
        )}
        <Output label="stdout" text={candidate.stdout} truncated={candidate.stdoutTruncated} />
        <Output label="stderr" text={candidate.stderr} truncated={candidate.stderrTruncated} />
      </div>
    </details>
  );
}

export function FinalLine({ status, reason }: { status: SessionStatus | null; reason: string | undefined }) {
  const done = status !== null && TERMINAL.has(status);
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="final"
      data-status={done ? status : ''}
      className={cn(
        'rounded-md border p-3 text-sm',
        !done && 'border-slate-200 bg-white text-slate-700',
        status === 'verified' && 'border-green-300 bg-green-50 text-green-900',
        done && status !== 'verified' && 'border-amber-300 bg-amber-50 text-amber-950',
      )}
    >
      {done ? (
        <>
          <strong className="font-semibold">{FINAL_LABEL[status] ?? status}</strong>
          {reason ? `: ${reason}` : ''}
        </>
      ) : (
        'running…'
      )}
    </div>
  );
}

function ResultPanel({ view, original }: { view: FixView; original: string | null }) {
  const [copied, setCopied] = useState<string | null>(null);
  const winner = view.winner ? view.candidates.find((c) => c.index === view.winner?.index) : undefined;
  const fixed = winner?.code ?? null;
  const copy = async () => {
    if (fixed === null) return;
    try {
      await navigator.clipboard.writeText(fixed);
      setCopied('Fixed code copied.');
    } catch {
      setCopied('The browser refused the clipboard; use Download.');
    }
  };
  const download = () => {
    if (fixed === null) return;
    const url = URL.createObjectURL(new Blob([fixed], { type: 'text/x-python' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = view.filename || 'program.py';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Result</CardTitle>
      </CardHeader>
      <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-3">
        {winner && fixed !== null ? (
          <>
            <div className="flex flex-wrap items-center gap-2">
              <Button type="button" onClick={() => void copy()}>
                Copy fixed code
              </Button>
              <Button type="button" variant="outline" onClick={download}>
                Download {view.filename}
              </Button>
              <span role="status" className="text-sm text-slate-700">
                {copied}
              </span>
            </div>
            {original !== null ? (
              <DiffView
                original={original}
                modified={fixed}
                height={Math.min(
                  480,
                  40 + 19 * Math.max(original.split('\n').length, fixed.split('\n').length),
                )}
              />
            ) : (
              <pre className="overflow-auto rounded bg-slate-100 p-2 text-xs">{winner.diff ?? ''}</pre>
            )}
          </>
        ) : (
          <p className="text-sm text-slate-700">No candidate passed, so there is no fixed code.</p>
        )}
        <Notes notes={view.notes} />
        {view.baseline ? (
          <details className="rounded-md border border-slate-200 p-2">
            <summary className="cursor-pointer text-sm">
              Original program run <Verdict status={view.baseline.status} /> {ms(view.baseline.durationMs)}
            </summary>
            <div className="mt-2 grid grid-cols-[minmax(0,1fr)] gap-2">
              <Output label="stdout" text={view.baseline.stdout} />
              <Output label="stderr" text={view.baseline.stderr} />
            </div>
          </details>
        ) : null}
        {view.candidates.map((c) => (
          <CandidateDetails key={c.index} candidate={c} winner={c.index === view.winner?.index} />
        ))}
      </CardContent>
    </Card>
  );
}

/** Share (the owner's): a link anyone can open read-only, with Copy and Revoke. */
function SharePanel({ sessionId, shareToken }: { sessionId: string; shareToken: string | null }) {
  // What this page last did, until the view read again says the same.
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [failure, setFailure] = useState<Alert | null>(null);
  const current = token === undefined ? shareToken : token;
  const link = current ? `${window.location.origin}/s/${encodeURIComponent(current)}` : null;
  const act = async (action: () => Promise<string | null>, done: string) => {
    setBusy(true);
    setFailure(null);
    setNote(null);
    try {
      setToken(await action());
      setNote(done);
      void useConsole.getState().refresh();
    } catch (error) {
      setFailure(alertOf(error));
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setNote('Link copied.');
    } catch {
      setNote('The browser refused the clipboard: copy the link from the box.');
    }
  };
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-2" data-testid="share">
      <div className="flex flex-wrap items-center gap-2">
        {link ? (
          <>
            <label className="text-sm font-medium" htmlFor="share-link">
              Share link
            </label>
            <Input
              id="share-link"
              readOnly
              value={link}
              onFocus={(event) => event.currentTarget.select()}
              className="h-8 w-auto min-w-0 flex-1 font-mono text-xs sm:max-w-md"
              data-testid="share-link"
            />
            <Button type="button" size="sm" onClick={() => void copy()}>
              Copy link
            </Button>
            <Button
              type="button"
              size="sm"
              variant="outline"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await revokeShare(sessionId);
                  return null;
                }, 'The link is revoked: it no longer opens this session.')
              }
            >
              Revoke
            </Button>
          </>
        ) : (
          <Button
            type="button"
            size="sm"
            variant="outline"
            disabled={busy}
            onClick={() =>
              void act(
                async () => (await shareFix(sessionId)).token,
                'Anyone with the link can see this session, read-only.',
              )
            }
          >
            Share
          </Button>
        )}
        <span role="status" className="text-sm text-slate-700" data-testid="share-note">
          {note}
        </span>
      </div>
      {failure ? <ApiAlert alert={failure} /> : null}
    </div>
  );
}

export function SessionView({ sessionId }: { sessionId: string }) {
  const { view, lines, result, socket, alert, submittedCode, auth } = useConsole();
  const rows = useMemo(() => candidateRows(view, lines), [view, lines]);
  const status: SessionStatus | null = result?.status ?? view?.status ?? null;
  const reason = result?.reason ?? view?.reason;
  const ended = status !== null && TERMINAL.has(status) && view !== null && TERMINAL.has(view.status);
  const original = useMemo(() => {
    if (submittedCode !== null) return submittedCode;
    for (const c of view?.candidates ?? []) {
      if (c.code === null || c.diff === null) continue;
      const text = reverseApply(c.code, c.diff);
      if (text !== null) return text;
    }
    return null;
  }, [submittedCode, view]);
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <div className="flex flex-wrap items-baseline gap-x-3">
        <h1 className="text-xl font-semibold">Session</h1>
        <code className="break-all text-sm text-slate-700" data-testid="session-id">
          {sessionId}
        </code>
        <span className="text-xs text-slate-600" data-testid="socket">
          live: {socket}
        </span>
        <a className="text-sm text-blue-800 underline" href="/">
          New fix
        </a>
      </div>
      {view && auth && auth.mode !== 'none' ? (
        <SharePanel sessionId={sessionId} shareToken={view.shareToken ?? null} />
      ) : null}
      {alert ? <ApiAlert alert={alert} /> : null}
      <FinalLine status={status} reason={reason} />
      <div className="grid grid-cols-[minmax(0,1fr)] gap-3 lg:grid-cols-2">
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Console</CardTitle>
          </CardHeader>
          <CardContent>
            <ConsoleLog lines={lines} />
          </CardContent>
        </Card>
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Candidates</CardTitle>
          </CardHeader>
          <CardContent>
            <CandidateTable rows={rows} winner={view?.winner?.index ?? result?.winner?.index ?? null} />
          </CardContent>
        </Card>
      </div>
      {ended && view ? <ResultPanel view={view} original={original} /> : null}
    </main>
  );
}
