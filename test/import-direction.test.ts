import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layers inside src/ (docs/architecture.md, "Inside src/"). A folder may import its own rank's
 * folders and lower ones, never higher; folders of one rank never import each other in a cycle; a
 * feature never imports another feature. A new folder must be given a rank here (and in the doc).
 */
const RANKS: Record<string, number> = {
  errors: 0,
  logging: 0,
  report: 0,
  contract: 0,
  config: 1,
  storage: 1,
  graph: 1,
  cards: 1,
  jobs: 1,
  school: 2,
  exchange: 2,
  auth: 2,
  notify: 2,
  audit: 3,
  aup: 3,
  incidents: 3,
  lessons: 3,
  governance: 4,
  server: 5,
  'demo-tenant': 5,
};
const FEATURES = new Set(['audit', 'aup', 'incidents', 'lessons']);
/** The model of Microsoft 365 that specs run against: any spec may build its tenant from it. */
const FIXTURE = 'demo-tenant';

export interface SourceFile {
  /** Path inside src/, with forward slashes: `audit/cards/audit-cards.ts`. */
  path: string;
  imports: string[];
}

const folderOf = (path: string) => path.split('/')[0]!;
const isSpec = (path: string) => /\.spec\.tsx?$/.test(path);

/** Every import that breaks the layers, as one readable line each; empty when the layers hold. */
export function layerViolations(files: SourceFile[]): string[] {
  const problems: string[] = [];
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file.path);
    if (!(from in RANKS)) problems.push(`src/${from}/ has no rank: add it to the layers table (test/import-direction.test.ts, docs/architecture.md)`);
    for (const spec of file.imports) {
      if (!spec.startsWith('.')) continue;
      const target = join(dirname(file.path), spec).split(sep).join('/');
      if (target.startsWith('..')) continue; // out of src/: test/architecture.test.ts decides
      const to = folderOf(target);
      if (to === from || !(from in RANKS)) continue;
      const line = `src/${file.path} imports ${spec}`;
      if (!(to in RANKS)) {
        problems.push(`${line}: src/${to}/ has no rank`);
        continue;
      }
      if (isSpec(file.path) && to === FIXTURE) continue;
      if (FEATURES.has(from) && FEATURES.has(to)) problems.push(`${line}: a feature (${from}) imports another feature (${to})`);
      else if (RANKS[to]! > RANKS[from]!) problems.push(`${line}: upwards, ${from} (rank ${RANKS[from]}) imports ${to} (rank ${RANKS[to]})`);
      else if (from === FIXTURE && FEATURES.has(to) && !isSpec(file.path))
        problems.push(`${line}: the demo tenant models Microsoft 365 and imports no feature`);
      // Upward imports are named above; a cycle is then only possible within one rank.
      if (RANKS[to] === RANKS[from] && !(FEATURES.has(from) && FEATURES.has(to))) {
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
  }
  for (const group of folderCycles(edges)) problems.push(`folders importing each other in a cycle: ${group.join(', ')}`);
  return [...new Set(problems)];
}

/** Strongly connected groups of more than one folder (Tarjan), each as a cycle to name. */
function folderCycles(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return groups;
}

const src = resolve(__dirname, '..', 'src');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}
/** Static, type-only, re-exported, side-effect and dynamic imports, and require(). */
export const importsIn = (code: string) => [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
const srcFiles = (): SourceFile[] => sources(src).map((f) => ({ path: relative(src, f).split(sep).join('/'), imports: importsIn(readFileSync(f, 'utf8')) }));

describe('inside src/, imports run downwards only (decisions.md #1)', () => {
  const files = srcFiles();

  it('no import runs upwards, no feature imports another, no folders import each other in a cycle', () => {
    expect(layerViolations(files)).toEqual([]);
  });

  it('every folder of src/ has a rank', () => {
    const folders = [...new Set(files.map((f) => folderOf(f.path)))];
    expect(folders.filter((f) => !(f in RANKS))).toEqual([]);
  });

  it('generic cards render and type card actions; the features own theirs', () => {
    const inCards = files.filter((f) => folderOf(f.path) === 'cards' && !isSpec(f.path)).map((f) => f.path.slice('cards/'.length));
    expect(inCards.sort()).toEqual(['card-actions.ts', 'help-card.ts', 'render-card.ts', 'welcome-card.ts']);
  });

  describe('the check itself finds a planted violation', () => {
    // Only what the planted file adds: a real violation elsewhere fails the test above, not these.
    const before = new Set(layerViolations(files));
    const added = (planted: SourceFile[]) => layerViolations([...files, ...planted]).filter((p) => !before.has(p));
    const plant = (path: string, ...imports: string[]) => added([{ path, imports }]);

    it('an upward import (the card renderer reaching into incidents)', () => {
      expect(plant('cards/planted.ts', '../incidents/incident-report')).toEqual([
        'src/cards/planted.ts imports ../incidents/incident-report: upwards, cards (rank 1) imports incidents (rank 3)',
      ]);
    });

    it('a feature importing another feature', () => {
      expect(plant('aup/planted.ts', '../lessons/lesson-service')).toEqual([
        'src/aup/planted.ts imports ../lessons/lesson-service: a feature (aup) imports another feature (lessons)',
      ]);
    });

    it('two folders of one rank importing each other', () => {
      expect(
        added([
          { path: 'school/a.ts', imports: ['../notify/notifier'] },
          { path: 'notify/b.ts', imports: ['../school/school-directory'] },
        ]),
      ).toEqual(['folders importing each other in a cycle: notify, school']);
    });

    it('the demo tenant importing a feature, and a folder with no rank', () => {
      expect(plant('demo-tenant/planted.ts', '../lessons/lesson-rules')).toEqual([
        'src/demo-tenant/planted.ts imports ../lessons/lesson-rules: the demo tenant models Microsoft 365 and imports no feature',
      ]);
      expect(plant('widgets/planted.ts', '../errors/domain-errors')).toEqual([
        'src/widgets/ has no rank: add it to the layers table (test/import-direction.test.ts, docs/architecture.md)',
      ]);
    });

    it('a type-only, a re-exported and a dynamic import count as imports', () => {
      expect(importsIn(`import type { A } from '../a';\nexport { b } from "../b";\nconst c = await import('../c');\nimport '../d';`)).toEqual([
        '../a',
        '../b',
        '../c',
        '../d',
      ]);
    });

    it('a spec may build its tenant from the demo tenant, and nothing else upwards', () => {
      expect(plant('school/planted.spec.ts', '../demo-tenant/school-generator')).toEqual([]);
      expect(plant('school/planted.spec.ts', '../server/create-server')).toHaveLength(1);
    });
  });
});
