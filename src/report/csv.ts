/**
 * A table as CSV for a spreadsheet: quoted where needed, and a cell starting with = + - @, a tab
 * or a carriage return is neutralised so Excel never runs it (a name or a policy text may start
 * with anything; OWASP's CSV injection guidance lists all six).
 */
export function csvTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cell = (value: unknown) => {
    const v = String(value ?? '');
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
