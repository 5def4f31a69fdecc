import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import { useMemo } from 'react';

type Row = Record<string, string | null>;
const features = tableFeatures({});
const helper = createColumnHelper<typeof features, Row>();

/** A query's result page; columns come from the result itself. */
export function ResultsTable({ columns, rows }: { columns: string[]; rows: Row[] }) {
  const defs = useMemo(() => helper.columns(columns.map((c) => helper.accessor((r: Row) => r[c] ?? '', { id: c, header: c }))), [columns]);
  const table = useTable({ features, columns: defs, data: rows });
  return (
    <div className="table-wrap">
      <table className="data" aria-label="Query results" data-testid="query-results">
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => (
                <th key={h.id} scope="col">
                  <table.FlexRender header={h} />
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getAllCells().map((cell) => (
                <td key={cell.id}>
                  <table.FlexRender cell={cell} />
                </td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={Math.max(columns.length, 1)}>The query returned no rows.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
