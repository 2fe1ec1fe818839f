'use client';
import { useEffect } from 'react';
import { FixForm } from '@/components/fix-form';
import { useConsole } from '@/lib/store';

export default function FixPage() {
  // Back on the form: stop following the last session (its page can be opened again).
  useEffect(() => useConsole.getState().stop(), []);
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <h1 className="text-xl font-semibold">Fix a Python program</h1>
      <FixForm />
    </main>
  );
}
