'use client';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { errorText } from '@/lib/api';
import { beginSignIn, currentCredential, forgetCredential, keepApiKey, signOut } from '@/lib/auth';
import { loadConfig } from '@/lib/config';
import { utcClock } from '@/lib/format';
import { useConsole } from '@/lib/store';
import type { Quota } from '@/lib/types';
import { cn } from '@/lib/utils';

/** Starts a sign-in that comes back to this page. */
async function signIn(): Promise<void> {
  const { auth } = await loadConfig();
  if (auth.mode === 'oauth') {
    await beginSignIn(auth, `${window.location.pathname}${window.location.search}${window.location.hash}`);
    return;
  }
  // The local stack signs in by itself: a refused credential only needs dropping.
  forgetCredential();
  window.location.reload();
}

export function SignInButton({ className }: { className?: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Button
        type="button"
        size="sm"
        className={className}
        onClick={() => {
          setError(null);
          signIn().catch((failure: unknown) => setError(errorText(failure)));
        }}
      >
        Sign in
      </Button>
      {error ? (
        <span role="alert" className="text-xs text-red-800">
          {error}
        </span>
      ) : null}
    </>
  );
}

/** "3 of 20 verifications today · resets 00:00 UTC", over a bar of what is used. */
export function QuotaBar({ quota }: { quota: Quota }) {
  const share = quota.allowance > 0 ? Math.min(1, quota.used / quota.allowance) : 1;
  const out = quota.remaining <= 0;
  const label = `${quota.used} of ${quota.allowance} verifications today · resets ${utcClock(quota.resetsAt)}`;
  return (
    <div className="flex min-w-0 items-center gap-2" data-testid="quota" data-used={quota.used}>
      {/* The bar draws what the text beside it says. */}
      <div aria-hidden="true" className="h-2 w-20 shrink-0 overflow-hidden rounded-full bg-slate-200 sm:w-28">
        <div
          className={cn('h-full rounded-full', out ? 'bg-amber-500' : 'bg-blue-700')}
          style={{ width: `${Math.round(share * 100)}%` }}
        />
      </div>
      <span className={cn('text-xs', out ? 'text-amber-900' : 'text-slate-700')} data-testid="quota-text">
        {label}
      </span>
    </div>
  );
}

function ApiKeyForm({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      aria-label="Sign in with an API key"
      onSubmit={(event) => {
        event.preventDefault();
        setError(null);
        try {
          keepApiKey(key);
        } catch (failure) {
          setError(errorText(failure));
          return;
        }
        void useConsole
          .getState()
          .loadIdentity()
          .then(() => {
            // Signed in: the page asks again with the key, as after a hosted-UI sign-in.
            if (useConsole.getState().me) onDone();
            else setError('the API refused this key');
          });
      }}
    >
      <label className="sr-only" htmlFor="api-key">
        API key
      </label>
      <Input
        id="api-key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="te_…"
        value={key}
        onChange={(event) => setKey(event.target.value)}
        className="h-8 w-56 text-xs"
      />
      <Button type="submit" size="sm" variant="outline">
        Use key
      </Button>
      {error ? (
        <span role="alert" className="text-xs text-red-800">
          {error}
        </span>
      ) : null}
    </form>
  );
}

/** The header's right side: the quota bar, who is signed in, My snippets, and sign in or out. */
export function Identity() {
  const { auth, me } = useConsole();
  const [keyForm, setKeyForm] = useState(false);
  useEffect(() => {
    void useConsole.getState().loadIdentity();
  }, []);
  if (!auth || auth.mode === 'none') return null;
  const via = currentCredential()?.via;
  return (
    <div className="ml-auto flex flex-wrap items-center justify-end gap-x-4 gap-y-2" data-testid="identity">
      {me ? <QuotaBar quota={me.quota} /> : null}
      {me || auth.mode === 'auto' ? (
        <a href="/history" className="text-sm text-blue-800 underline">
          My snippets
        </a>
      ) : null}
      {auth.mode === 'auto' ? (
        <span className="text-sm text-slate-700" data-testid="user">
          {me?.user.name ?? auth.user.name}
        </span>
      ) : me ? (
        <>
          <span className="text-sm text-slate-700" data-testid="user" title={me.user.email ?? me.user.id}>
            {me.user.name ?? me.user.email ?? me.user.id}
            {via === 'key' ? ' (API key)' : ''}
          </span>
          <Button type="button" size="sm" variant="outline" onClick={() => signOut(auth)}>
            Sign out
          </Button>
        </>
      ) : (
        <>
          {keyForm ? <ApiKeyForm onDone={() => window.location.reload()} /> : null}
          <Button type="button" size="sm" variant="ghost" onClick={() => setKeyForm(!keyForm)}>
            {keyForm ? 'Cancel' : 'Use an API key'}
          </Button>
          <SignInButton />
        </>
      )}
    </div>
  );
}
