import { columnVisibilityFeature, createColumnHelper, tableFeatures, useTable, type ColumnVisibilityState } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { Link } from '../../components/link';
import type { EventRow } from './event-row';
import { type AttributeKey, filterToQuery, type HistoryFilter } from './history-filter';

const features = tableFeatures({ columnVisibilityFeature });
const helper = createColumnHelper<typeof features, EventRow>();

/** A link that narrows the history to one attribute value (keeping the time range). */
function FilterLink({ filter, attribute, value, label }: { filter: HistoryFilter; attribute: AttributeKey; value: string; label: string }) {
  const to = '/history' + filterToQuery({ ...filter, attributes: [{ key: attribute, value }] });
  return (
    <Link to={to} title={`Show events with ${label} ${value}`}>
      {value}
    </Link>
  );
}

function buildColumns(filter: HistoryFilter, open: (row: EventRow) => void) {
  const resourceCell = (row: EventRow, field: 'resourceType' | 'resourceName', attribute: AttributeKey, label: string) =>
    row.resources
      .map((r) => r[field])
      .filter((v): v is string => !!v)
      .map((v, i) => (
        <span key={i} className="cell-list">
          <FilterLink filter={filter} attribute={attribute} value={v} label={label} />
        </span>
      ));
  return helper.columns([
    helper.accessor('eventTime', {
      id: 'eventTime',
      header: 'Event time',
      cell: (c) => <time dateTime={c.getValue()}>{c.getValue().replace('T', ' ').replace('Z', ' UTC')}</time>,
    }),
    helper.accessor('username', {
      id: 'username',
      header: 'User name',
      cell: (c) => (c.getValue() ? <FilterLink filter={filter} attribute="Username" value={c.getValue()!} label="user name" /> : ''),
    }),
    helper.accessor('eventName', {
      id: 'eventName',
      header: 'Event name',
      cell: (c) => (
        <button
          type="button"
          className="link-button"
          onClick={() => open(c.row.original)}
          aria-label={`Open record ${c.getValue()} at ${c.row.original.eventTime}`}
        >
          {c.getValue()}
        </button>
      ),
    }),
    helper.display({
      id: 'resourceType',
      header: 'Resource type',
      cell: (c) => resourceCell(c.row.original, 'resourceType', 'ResourceType', 'resource type'),
    }),
    helper.display({
      id: 'resourceName',
      header: 'Resource name',
      cell: (c) => resourceCell(c.row.original, 'resourceName', 'ResourceName', 'resource name'),
    }),
    helper.accessor('eventSource', { id: 'eventSource', header: 'Event source' }),
    helper.accessor('accessKeyId', {
      id: 'accessKeyId',
      header: 'AWS access key',
      cell: (c) => (c.getValue() ? <FilterLink filter={filter} attribute="AccessKeyId" value={c.getValue()!} label="access key" /> : ''),
    }),
    helper.accessor('awsRegion', { id: 'awsRegion', header: 'AWS region' }),
    helper.accessor('errorCode', { id: 'errorCode', header: 'Error code' }),
    helper.accessor('readOnly', { id: 'readOnly', header: 'Read-only' }),
  ]);
}

/** CloudTrail's event history columns, a column chooser, and a record opener per row. */
export function EventsTable({
  rows,
  filter,
  onOpen,
  selectedId,
}: {
  rows: EventRow[];
  filter: HistoryFilter;
  onOpen(row: EventRow): void;
  selectedId?: string;
}) {
  const columns = useMemo(() => buildColumns(filter, onOpen), [filter, onOpen]);
  const [columnVisibility, setColumnVisibility] = useState<ColumnVisibilityState>({ readOnly: false });
  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (row) => row.eventId,
    state: { columnVisibility },
    onColumnVisibilityChange: setColumnVisibility,
  });

  return (
    <>
      <details className="column-chooser">
        <summary>Columns</summary>
        <fieldset>
          <legend>Shown columns</legend>
          {table.getAllLeafColumns().map((column) => (
            <label key={column.id} className="inline">
              <input type="checkbox" checked={column.getIsVisible()} onChange={column.getToggleVisibilityHandler()} />{' '}
              {String(column.columnDef.header)}
            </label>
          ))}
        </fieldset>
      </details>
      <div className="table-wrap">
        <table className="data" aria-label="Events">
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} scope="col">
                    {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr
                key={row.id}
                data-event-id={row.id}
                className={[row.original.live ? 'live-row' : '', row.id === selectedId ? 'selected' : ''].join(' ')}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={table.getVisibleLeafColumns().length}>No events match the filter.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
