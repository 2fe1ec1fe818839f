/** Narrows a caught value; anything thrown that is not an Error is wrapped so callers handle one type. */
export function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
