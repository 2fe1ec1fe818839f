'use client';
import { SignInButton } from '@/components/identity';
import { until, utcClock } from '@/lib/format';
import type { Alert } from '@/lib/store';

/** A refusal or failure in a `role=alert` box; `hint` says what to do about it. */
export function ErrorAlert({
  message,
  field,
  hint,
}: {
  message: string;
  field?: string | undefined;
  hint?: string | undefined;
}) {
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <strong className="font-semibold">Error: </strong>
      {message}
      {field ? <span className="text-red-700"> (field: {field})</span> : null}
      {hint ? <p className="mt-1 text-red-950">{hint}</p> : null}
    </div>
  );
}

/** A 401 as the user should read it: sign in, and come back here. */
export function SignInPrompt({ reason, quiet = false }: { reason?: string; quiet?: boolean }) {
  return (
    <div
      // Quiet: said where it is (a page that needs a sign-in), not announced as a refusal.
      role={quiet ? 'status' : 'alert'}
      data-testid="sign-in-prompt"
      className="flex flex-wrap items-center gap-3 rounded-md border border-blue-300 bg-blue-50 p-3 text-sm text-blue-950"
    >
      <span>
        <strong className="font-semibold">Sign in to continue: </strong>
        {reason ?? 'you are not signed in, or your sign-in has expired.'}
      </span>
      <SignInButton />
    </div>
  );
}

/** An API refusal: a sign-in prompt for 401, the reset time for 429, else the server's text. */
export function ApiAlert({ alert, hint }: { alert: Alert; hint?: string | undefined }) {
  if (alert.status === 401) return <SignInPrompt />;
  if (alert.status === 429)
    return (
      <div
        role="alert"
        data-testid="quota-alert"
        className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
      >
        <strong className="font-semibold">Today&apos;s verifications are used up. </strong>
        {alert.resetsAt
          ? `The allowance resets at ${utcClock(alert.resetsAt)} (${until(alert.resetsAt)}).`
          : alert.message}
      </div>
    );
  return <ErrorAlert message={alert.message} field={alert.field} hint={hint} />;
}
