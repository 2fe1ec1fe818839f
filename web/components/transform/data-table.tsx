import type { Cell, DatasetColumn } from '@/lib/types';

/** How a cell reads: missing is a dash (said as "missing"), the rest as the API sent it. */
function CellText({ value }: { value: Cell }) {
  if (value === null)
    return (
      <span className="text-slate-400" title="missing">
        <span aria-hidden="true">—</span>
        <span className="sr-only">missing</span>
      </span>
    );
  return <>{String(value)}</>;
}

/** A table's first rows under its columns' names and dtypes; scrolls sideways on a narrow screen. */
export function DataTable({
  columns,
  rows,
  caption,
  testId,
}: {
  columns: readonly DatasetColumn[];
  rows: readonly Cell[][];
  caption: string;
  testId: string;
}) {
  return (
    // A region of its own: a scrolling box that Chromium lets the keyboard focus and scroll.
    <section className="max-h-[28rem] overflow-auto rounded-md border border-slate-200" aria-label={caption}>
      <table className="w-full border-collapse text-left text-sm" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="sticky top-0 bg-slate-50 text-xs">
          <tr>
            {columns.map((column) => (
              <th
                key={column.name}
                scope="col"
                className="border-b border-slate-200 px-2 py-1.5 align-bottom"
              >
                <span className="block font-semibold text-slate-900" data-testid="column-name">
                  {column.name}
                </span>
                <span className="block font-mono font-normal text-slate-600" data-testid="column-dtype">
                  {column.dtype}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own; the table is replaced whole.
            <tr key={r} className="border-t border-slate-100 odd:bg-white even:bg-slate-50/60">
              {columns.map((column, c) => (
                <td key={column.name} className="whitespace-nowrap px-2 py-1 font-mono text-xs">
                  <CellText value={row[c] ?? null} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
