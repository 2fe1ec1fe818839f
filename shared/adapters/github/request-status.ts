/** The HTTP status of a failed Octokit request (its RequestError), or undefined for any other error. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** A 422 from POST /user/repos that says the name is taken (GitHub: "name already exists on this account"). */
export function isNameTaken(error: unknown): boolean {
  if (statusOf(error) !== 422) return false;
  const data = (error as { response?: { data?: { errors?: unknown } } }).response?.data;
  const errors = Array.isArray(data?.errors)
    ? (data.errors as Array<{ field?: unknown; message?: unknown }>)
    : [];
  return errors.some((each) => each.field === 'name' && /already exists/i.test(String(each.message ?? '')));
}
