/**
 * The known name a typo was most likely meant to be, or undefined when none is close. Case is
 * ignored ("safeguardingteam" means safeguardingTeam); otherwise a name is close when a few edits
 * (at most three, and fewer than 60% of its letters) turn one into the other, the rule commander
 * uses for mistyped commands, so the CLI and the configuration suggest alike. Failing that, a name
 * cut short ("recordingCheck" for recordingCheckMinutes) is close to the one it starts.
 */
export function didYouMean(typed: string, known: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(t, name.toLowerCase());
    const length = Math.max(t.length, name.length);
    if (distance > 3 || (length - distance) / length <= 0.4) continue;
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (best) return best.name;
  if (t.length < 4) return undefined;
  return known.find((name) => name.toLowerCase().startsWith(t));
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swapped neighbours. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const above = d[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
