/** What a state's Catch puts at its ResultPath: the error's name and its cause. */
export interface StateError {
  Error?: string;
  Cause?: string;
}

/**
 * One line of what a Catch caught: a Lambda error's cause is JSON carrying `errorMessage` (and a
 * stack, which is never shown); any other cause is the message itself.
 */
export function caughtMessage(error: StateError | undefined): string {
  if (!error) return 'an unknown error';
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: the cause is the message itself.
  }
  return cause || error.Error || 'an unknown error';
}
