/** English school terms: autumn (Sep-Dec), spring (Jan-Mar), summer (Apr-Aug). */
export function termOf(iso: string): string {
  const d = new Date(iso);
  const m = d.getUTCMonth() + 1;
  const y = d.getUTCFullYear();
  if (m >= 9) return `${y}-${(y + 1) % 100} autumn`;
  return m <= 3 ? `${y - 1}-${y % 100} spring` : `${y - 1}-${y % 100} summer`;
}
