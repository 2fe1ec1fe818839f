'use client';
import { useCallback, useEffect, useState } from 'react';
import { ApiAlert } from '@/components/alert';
import { FINAL_LABEL } from '@/components/session-view';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { listMyFixes } from '@/lib/api';
import { when } from '@/lib/format';
import { type Alert, alertOf } from '@/lib/store';
import type { FixListItem } from '@/lib/types';
import { cn } from '@/lib/utils';

const STATUS_CLASS: Record<string, string> = {
  verified: 'bg-green-100 text-green-900',
  queued: 'bg-slate-100 text-slate-700',
  running: 'bg-sky-100 text-sky-900',
};

/** My snippets: the caller's sessions, newest first, a page at a time (the API's opaque cursor). */
export default function HistoryPage() {
  const [items, setItems] = useState<FixListItem[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<Alert | null>(null);

  const load = useCallback(async (after?: string) => {
    setBusy(true);
    setAlert(null);
    try {
      const page = await listMyFixes(after);
      setItems((known) => [...(after ? (known ?? []) : []), ...page.items]);
      setCursor(page.cursor);
    } catch (error) {
      setAlert(alertOf(error));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <div className="flex flex-wrap items-baseline gap-x-3">
        <h1 className="text-xl font-semibold">My snippets</h1>
        <a className="text-sm text-blue-800 underline" href="/">
          New fix
        </a>
      </div>
      {alert ? <ApiAlert alert={alert} /> : null}
      {items === null && !alert ? <p className="text-sm text-slate-600">Loading…</p> : null}
      {items !== null ? (
        <Card>
          <CardContent className="pt-4">
            {items.length === 0 ? (
              <p className="text-sm text-slate-700">
                No snippets yet.{' '}
                <a className="text-blue-800 underline" href="/">
                  Fix a program
                </a>{' '}
                and it shows up here.
              </p>
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm" data-testid="history">
                  <caption className="sr-only">Your sessions, newest first</caption>
                  <thead className="text-xs text-slate-600">
                    <tr>
                      <th scope="col" className="py-1 pr-2">
                        File
                      </th>
                      <th scope="col" className="py-1 pr-2">
                        Status
                      </th>
                      <th scope="col" className="py-1 pr-2">
                        Created
                      </th>
                      <th scope="col" className="py-1">
                        <span className="sr-only">Shared</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((item) => (
                      <tr
                        key={item.sessionId}
                        className="border-t border-slate-200"
                        data-session={item.sessionId}
                        data-status={item.status}
                      >
                        <td className="py-1.5 pr-2">
                          <a
                            className="break-all font-mono text-blue-800 underline"
                            href={`/sessions/${encodeURIComponent(item.sessionId)}`}
                          >
                            {item.filename || 'program.py'}
                          </a>
                        </td>
                        <td className="py-1.5 pr-2">
                          <span
                            className={cn(
                              'rounded px-1.5 py-0.5 text-xs font-medium',
                              STATUS_CLASS[item.status] ?? 'bg-amber-100 text-amber-900',
                            )}
                          >
                            {FINAL_LABEL[item.status] ?? item.status}
                          </span>
                        </td>
                        <td className="py-1.5 pr-2 whitespace-nowrap text-slate-700">
                          <time dateTime={item.createdAt}>{when(item.createdAt)}</time>
                        </td>
                        <td className="py-1.5">
                          {item.shared ? (
                            <span
                              className="rounded bg-blue-100 px-1.5 py-0.5 text-xs font-medium text-blue-900"
                              data-testid="shared-badge"
                            >
                              shared
                            </span>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {cursor ? (
              <div className="mt-3">
                <Button type="button" variant="outline" disabled={busy} onClick={() => void load(cursor)}>
                  {busy ? 'Loading…' : 'Load more'}
                </Button>
              </div>
            ) : null}
          </CardContent>
        </Card>
      ) : null}
    </main>
  );
}
