'use client';
import { useEffect, useMemo, useState } from 'react';
import { ApiAlert } from '@/components/alert';
import { DiffView } from '@/components/monaco/editors';
import { type CandidateRow, CandidateTable, FinalLine } from '@/components/session-view';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ApiError, getShared } from '@/lib/api';
import { when } from '@/lib/format';
import { reverseApply } from '@/lib/patch';
import { type Alert, alertOf } from '@/lib/store';
import type { SharedView } from '@/lib/types';

function lines(text: string): number {
  return text.split('\n').length;
}

function CodeBlock({ label, code }: { label: string; code: string }) {
  return (
    <div>
      <p className="text-xs font-medium text-slate-700">{label}</p>
      <pre className="max-h-96 overflow-auto rounded bg-slate-100 p-2 text-xs" data-testid="shared-code">
        {code}
      </pre>
    </div>
  );
}

/** A shared session, read-only, as anyone with the link sees it (no sign-in). */
export function SharedSession({ token }: { token: string }) {
  const [view, setView] = useState<SharedView | null>(null);
  const [gone, setGone] = useState(false);
  const [alert, setAlert] = useState<Alert | null>(null);
  useEffect(() => {
    let stopped = false;
    setView(null);
    setGone(false);
    setAlert(null);
    getShared(token)
      .then((next) => {
        if (!stopped) setView(next);
      })
      .catch((error: unknown) => {
        if (stopped) return;
        if (error instanceof ApiError && error.status === 404) setGone(true);
        else setAlert(alertOf(error));
      });
    return () => {
      stopped = true;
    };
  }, [token]);

  const winnerCode = view?.winner?.code ?? null;
  const original = useMemo(() => {
    if (!view) return null;
    if (view.original !== null) return view.original;
    const winner = view.winner;
    return winner?.code && winner.diff ? reverseApply(winner.code, winner.diff) : null;
  }, [view]);

  if (gone)
    return (
      <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
        <h1 className="text-xl font-semibold">Shared session</h1>
        <div
          role="status"
          data-testid="not-shared"
          className="rounded-md border border-slate-300 bg-white p-3 text-sm text-slate-800"
        >
          This link is not shared any more. Its owner may have revoked it, or it was never a share link.
        </div>
        <p>
          <a className="text-sm text-blue-800 underline" href="/">
            Fix a program of your own
          </a>
        </p>
      </main>
    );

  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <div className="flex flex-wrap items-baseline gap-x-3">
        <h1 className="text-xl font-semibold">Shared session</h1>
        {view ? (
          <>
            <code className="break-all text-sm text-slate-700" data-testid="shared-filename">
              {view.filename}
            </code>
            <span className="text-xs text-slate-600">
              created <time dateTime={view.createdAt}>{when(view.createdAt)}</time> · read-only
            </span>
          </>
        ) : null}
      </div>
      {alert ? <ApiAlert alert={alert} /> : null}
      {!view && !alert ? <p className="text-sm text-slate-600">Loading…</p> : null}
      {view ? (
        <>
          <FinalLine status={view.status} reason={undefined} />
          <Card>
            <CardHeader>
              <CardTitle>{winnerCode !== null ? 'The verified fix' : 'The program'}</CardTitle>
            </CardHeader>
            <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-3">
              {winnerCode !== null && original !== null ? (
                <DiffView
                  original={original}
                  modified={winnerCode}
                  height={Math.min(480, 40 + 19 * Math.max(lines(original), lines(winnerCode)))}
                />
              ) : null}
              {winnerCode !== null && original === null ? (
                view.winner?.diff ? (
                  <CodeBlock label="Diff" code={view.winner.diff} />
                ) : (
                  <CodeBlock label="Fixed code" code={winnerCode} />
                )
              ) : null}
              {winnerCode === null && view.winner?.codeUrl ? (
                <p className="text-sm text-slate-700">
                  The fixed code is too large to show here:{' '}
                  <a className="text-blue-800 underline" href={view.winner.codeUrl}>
                    download it
                  </a>
                  .
                </p>
              ) : null}
              {winnerCode === null && !view.winner ? (
                <>
                  <p className="text-sm text-slate-700">No candidate passed, so there is no fixed code.</p>
                  {original !== null ? <CodeBlock label="Original program" code={original} /> : null}
                  {original === null && view.originalUrl ? (
                    <p className="text-sm text-slate-700">
                      <a className="text-blue-800 underline" href={view.originalUrl}>
                        Download the original program
                      </a>
                    </p>
                  ) : null}
                </>
              ) : null}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Candidates</CardTitle>
            </CardHeader>
            <CardContent>
              <CandidateTable
                rows={sharedRows(view)}
                winner={view.winner?.index ?? null}
                detailHeading="Changed lines"
                testId="shared-candidates"
              />
            </CardContent>
          </Card>
        </>
      ) : null}
    </main>
  );
}

/** A share link's runs as the candidate table shows them: the original program, then each candidate. */
function sharedRows(view: SharedView): CandidateRow[] {
  const rows: CandidateRow[] = view.baseline
    ? [
        {
          index: 0,
          round: null,
          label: 'original',
          status: view.baseline.status,
          durationMs: view.baseline.durationMs,
        },
      ]
    : [];
  for (const c of view.candidates) {
    rows.push({
      index: c.index,
      round: c.round,
      label: `candidate ${c.index}`,
      status: c.status,
      durationMs: c.durationMs,
      detail: String(c.changedLines),
    });
  }
  return rows;
}
