'use client';
import dynamic from 'next/dynamic';

const loading = () => <p className="p-3 text-sm text-slate-600">Loading editor…</p>;

/** Monaco, loaded on the client only. */
export const CodeEditor = dynamic(() => import('./monaco-client').then((m) => m.CodeEditor), {
  ssr: false,
  loading,
});

export const DiffView = dynamic(() => import('./monaco-client').then((m) => m.DiffView), {
  ssr: false,
  loading,
});
