'use client';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '@/components/alert';
import { TaskRound } from '@/components/task-round-view';

// One static page for every /tasks/<task>/<round> (the server rewrites them here); read after mount.
export default function TasksPage() {
  const pathname = usePathname();
  const [target, setTarget] = useState<{ task: string; round: string } | null | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read the URL again on every client-side navigation.
  useEffect(() => {
    const match = /^\/tasks\/([^/]+)\/([^/]+)\/?$/.exec(window.location.pathname);
    setTarget(
      match?.[1] && match[2]
        ? { task: decodeURIComponent(match[1]), round: decodeURIComponent(match[2]) }
        : null,
    );
  }, [pathname]);
  if (target === undefined) return <p className="text-sm text-slate-600">Loading…</p>;
  if (target === null) return <ErrorAlert message="Open /tasks/<task>/<round> to see a task round." />;
  return <TaskRound task={target.task} round={target.round} />;
}
