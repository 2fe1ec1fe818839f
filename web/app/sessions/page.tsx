'use client';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '@/components/alert';
import { SessionView } from '@/components/session-view';
import { useConsole } from '@/lib/store';

// One static page for every /sessions/<id>: the server rewrites them all here, and the id is read
// from the URL after mount (never during the first render, which must match the prerendered HTML).
export default function SessionsPage() {
  const pathname = usePathname();
  const [id, setId] = useState<string | null | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read the URL again on every client-side navigation.
  useEffect(() => {
    const match = /^\/sessions\/([^/]+)/.exec(window.location.pathname);
    const sessionId = match?.[1] ? decodeURIComponent(match[1]) : null;
    setId(sessionId);
    if (sessionId) useConsole.getState().follow(sessionId);
  }, [pathname]);
  if (id === undefined) return <p className="text-sm text-slate-600">Loading…</p>;
  if (id === null) return <ErrorAlert message="No session id in the address: open /sessions/<id>." />;
  return <SessionView sessionId={id} />;
}
