'use client';
import { useEffect } from 'react';
import { SignInPrompt } from '@/components/alert';
import { FixForm } from '@/components/fix-form';
import { currentCredential } from '@/lib/auth';
import { useConsole } from '@/lib/store';

export default function FixPage() {
  // Back on the form: stop following the last session (its page can be opened again).
  useEffect(() => useConsole.getState().stop(), []);
  const { auth, me, alert } = useConsole();
  // Said before Run is pressed: this console signs in, and no one is signed in.
  const signedOut = auth?.mode === 'oauth' && !me && !currentCredential() && alert?.status !== 401;
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <h1 className="text-xl font-semibold">Fix a Python program</h1>
      {signedOut ? <SignInPrompt quiet reason="running a fix needs a sign-in." /> : null}
      <FixForm />
    </main>
  );
}
