/**
 * A table as CSV for a spreadsheet: quoted where needed, and a cell starting with = + - @ is
 * neutralised so Excel never runs it (a name or a policy text may start with anything).
 */
export function csvTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cell = (value: unknown) => {
    const v = String(value ?? '');
    const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
