/** The shown result page as a CSV file (RFC 4180 quoting), downloaded by the browser. */
export function downloadResultsCsv(columns: string[], rows: Array<Record<string, string | null>>, queryId: string): void {
  const field = (v: string | null) => {
    const text = v ?? '';
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const csv = [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `query-${queryId}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
