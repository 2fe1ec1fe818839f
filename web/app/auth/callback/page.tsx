'use client';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '@/components/alert';
import { SignInButton } from '@/components/identity';
import { Button } from '@/components/ui/button';
import { completeSignIn } from '@/lib/auth';
import { loadConfig } from '@/lib/config';

// Where the hosted UI sends the browser back (`?code&state`): the code is exchanged for the ID
// token, then the page the sign-in started from opens again.
export default function AuthCallbackPage() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const search = window.location.search;
    void loadConfig()
      .then(({ auth }) => {
        if (auth.mode !== 'oauth') throw new Error('this console does not sign in through a hosted UI');
        return completeSignIn(auth, search);
      })
      .then((returnTo) => window.location.replace(returnTo))
      .catch((failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, []);
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <h1 className="text-xl font-semibold">Signing in</h1>
      {error ? (
        <>
          <ErrorAlert message={error} />
          <div className="flex flex-wrap items-center gap-2">
            <SignInButton />
            <Button asChild variant="outline" size="sm">
              <a href="/">Back to the form</a>
            </Button>
          </div>
        </>
      ) : (
        <p className="text-sm text-slate-600" role="status">
          Finishing the sign-in…
        </p>
      )}
    </main>
  );
}
