'use client';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '@/components/alert';
import { SharedSession } from '@/components/shared-view';

// One static page for every /s/<token> (the server rewrites them here); the token is read after mount.
export default function SharedPage() {
  const pathname = usePathname();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read the URL again on every client-side navigation.
  useEffect(() => {
    const match = /^\/s\/([^/]+)\/?$/.exec(window.location.pathname);
    setToken(match?.[1] ? decodeURIComponent(match[1]) : null);
  }, [pathname]);
  if (token === undefined) return <p className="text-sm text-slate-600">Loading…</p>;
  if (token === null) return <ErrorAlert message="Open a share link (/s/<token>) to see a shared session." />;
  return <SharedSession token={token} />;
}
