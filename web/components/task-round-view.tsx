'use client';
import { useEffect, useState } from 'react';
import { ApiAlert } from '@/components/alert';
import { Notes } from '@/components/notes';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { getTaskRound } from '@/lib/api';
import { type Alert, alertOf } from '@/lib/store';
import type { TaskRoundView } from '@/lib/types';
import { cn } from '@/lib/utils';

const CHECK_CLASS: Record<string, string> = {
  passed: 'bg-green-100 text-green-900',
  failed: 'bg-red-100 text-red-900',
  unverified: 'bg-slate-200 text-slate-800',
};

function ExternalLink({ href, children }: { href: string | null; children: string }) {
  if (!href) return <span className="text-slate-600">{children}: not yet</span>;
  return (
    <a className="break-all text-blue-800 underline" href={href} rel="noreferrer">
      {children}: {href}
    </a>
  );
}

export function TaskRound({ task, round }: { task: string; round: string }) {
  const [view, setView] = useState<TaskRoundView | null>(null);
  const [error, setError] = useState<Alert | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const next = await getTaskRound(task, round);
        if (stopped) return;
        setView(next);
        setError(null);
        // A round still running is read again now and then: the page is a read-only view.
        if (
          next.status === 'queued' ||
          next.status === 'running' ||
          (next.delivery && !['delivered', 'failed'].includes(next.delivery.stage))
        )
          timer = setTimeout(load, 2000);
      } catch (failure) {
        if (!stopped) setError(alertOf(failure));
      }
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [task, round]);
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <h1 className="text-xl font-semibold">
        Task <code>{task}</code>, round {round}
      </h1>
      {error ? <ApiAlert alert={error} /> : null}
      {view ? (
        <>
          <div
            role="status"
            className="rounded-md border border-slate-200 bg-white p-3 text-sm"
            data-testid="task-status"
          >
            <strong>{view.status}</strong>
            {view.reason ? `: ${view.reason}` : ''}
            {view.delivery ? (
              <span className="block text-slate-700">
                delivery: {view.delivery.stage}
                {view.delivery.reason ? ` (${view.delivery.reason})` : ''}
              </span>
            ) : null}
          </div>
          <Card>
            <CardHeader>
              <CardTitle>Published</CardTitle>
            </CardHeader>
            <CardContent className="grid grid-cols-[minmax(0,1fr)] gap-1 text-sm">
              <ExternalLink href={view.repo_url}>repository</ExternalLink>
              <span>
                commit:{' '}
                {view.commit_sha ? (
                  view.repo_url?.startsWith('https://github.com/') ? (
                    <a
                      className="text-blue-800 underline"
                      href={`${view.repo_url}/commit/${view.commit_sha}`}
                      rel="noreferrer"
                    >
                      <code>{view.commit_sha}</code>
                    </a>
                  ) : (
                    <code>{view.commit_sha}</code>
                  )
                ) : (
                  'not yet'
                )}
              </span>
              <ExternalLink href={view.pages_url}>pages</ExternalLink>
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Checks</CardTitle>
            </CardHeader>
            <CardContent>
              {view.checks === null ? (
                <p className="text-sm text-slate-600">Not compiled yet.</p>
              ) : (
                <ol data-testid="checks" className="grid grid-cols-[minmax(0,1fr)] gap-1 text-sm">
                  {view.checks.map((check, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: checks keep the evaluator's order.
                    <li key={i} className="flex flex-wrap gap-2 border-t border-slate-100 pt-1">
                      <span className={cn('rounded px-1.5 text-xs font-medium', CHECK_CLASS[check.status])}>
                        {check.status}
                      </span>
                      <span className="text-xs text-slate-600">{check.how}</span>
                      <span className="min-w-0 break-words">{check.text}</span>
                      {check.why ? <span className="w-full text-xs text-slate-600">{check.why}</span> : null}
                    </li>
                  ))}
                </ol>
              )}
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Sites checked</CardTitle>
            </CardHeader>
            <CardContent className="overflow-x-auto">
              <table className="w-full text-left text-sm" data-testid="sites">
                <thead className="text-xs text-slate-600">
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Site</th>
                    <th scope="col">Verdict</th>
                    <th scope="col">Checks passed</th>
                    <th scope="col">Time</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {view.candidates.map((c) => (
                    <tr key={c.index} className="border-t border-slate-200 align-top">
                      <td className="pr-2">{c.index}</td>
                      <td className="pr-2">
                        {c.role === 'baseline' ? 'baseline' : c.source}
                        {view.winner?.index === c.index ? ' (winner)' : ''}
                      </td>
                      <td className="pr-2">{c.status}</td>
                      <td className="pr-2">
                        {c.passed ?? '—'}
                        {view.checks ? ` / ${view.checks.length}` : ''}
                      </td>
                      <td className="pr-2 whitespace-nowrap">
                        {c.durationMs === null ? '' : `${Math.round(c.durationMs)} ms`}
                      </td>
                      <td className="break-words text-slate-700">{c.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </CardContent>
          </Card>
          <Notes notes={view.notes} />
        </>
      ) : error ? null : (
        <p className="text-sm text-slate-600">Loading…</p>
      )}
    </main>
  );
}
