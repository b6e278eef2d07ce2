import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The tab follows Teams' theme (light, dark, high contrast) only if every colour comes from Fluent's
 * theme tokens: a hex colour or a fixed inline style stays the same in every theme.
 */
const TAB = join(__dirname, '../tab/src');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));

describe('the tab’s styles come from the theme', () => {
  const files = sources(TAB).map((path) => ({ path: relative(TAB, path), text: readFileSync(path, 'utf8') }));

  it('finds the tab’s sources', () => {
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['App.tsx', 'Shell.tsx', 'pages/IncidentsPage.tsx']));
  });

  it('names no colour of its own (no hex, rgb() or named colour in a string)', () => {
    const colour = /(?<=['"`\s(])(#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|rgba?\([^)]*\))(?=['"`\s;,)])|['"`](white|black)['"`]/g;
    const colours = files.flatMap((f) => [...f.text.matchAll(colour)].map((m) => `${f.path}: ${m[1] ?? m[2]}`));
    expect(colours).toEqual([]);
  });

  it('uses inline styles only for values computed at run time', () => {
    const fixed = files.flatMap((f) =>
      [...f.text.matchAll(/style=\{\{([^}]*)\}\}/g)].filter((m) => !m[1]!.includes('${')).map((m) => `${f.path}: style={{${m[1]}}}`),
    );
    expect(fixed).toEqual([]);
  });
});
