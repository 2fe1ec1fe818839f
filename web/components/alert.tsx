export function ErrorAlert({ message, field }: { message: string; field?: string | undefined }) {
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <strong className="font-semibold">Error: </strong>
      {message}
      {field ? <span className="text-red-700"> (field: {field})</span> : null}
    </div>
  );
}
