import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|require\(|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('the domain stays free of the bot SDK and the UI', () => {
  const offenders = (pattern: RegExp) =>
    sources(join(root, 'src')).flatMap((f) =>
      importsOf(f)
        .filter((i) => pattern.test(i))
        .map((i) => `${relative(root, f)} imports ${i}`),
    );

  it('src/ imports nothing from botbuilder or the Bot Framework', () => {
    expect(offenders(/^(botbuilder|botframework-)/)).toEqual([]);
  });

  it('src/ imports nothing from React or Fluent UI', () => {
    expect(offenders(/^(react|react-dom|@fluentui\/)/)).toEqual([]);
  });

  it('src/ does not reach into bot/, tab/ or bin/', () => {
    expect(offenders(/^(\.\.\/)+(bot|tab|bin)\//)).toEqual([]);
  });

  it('the check itself finds an import when there is one', () => {
    expect(importsOf(join(root, 'bot', 'esafety-bot.ts'))).toContain('botbuilder');
  });
});

describe('the tab shares only the contract with the server (decisions.md #1)', () => {
  /** An import of the tab that leaves tab/ for this repository, unless it lands in src/contract/. */
  const outsideTheContract = (file: string, imports = importsOf(file)) =>
    imports
      .filter((i) => i.startsWith('.'))
      .map((i) => relative(root, resolve(join(file, '..'), i)))
      .filter((target) => !target.startsWith('tab/') && !target.startsWith('src/contract/') && target !== 'src/contract')
      .map((target) => `${relative(root, file)} imports ${target}`);

  it('tab/ imports from the rest of the repository only src/contract/ (zod schemas and their types)', () => {
    expect(sources(join(root, 'tab', 'src')).flatMap((f) => outsideTheContract(f))).toEqual([]);
  });

  it('the check itself refuses a tab file reaching into the domain and allows the contract', () => {
    const page = join(root, 'tab', 'src', 'pages', 'planted.tsx');
    expect(outsideTheContract(page, ['zod', '../../../src/contract/incidents', '../../../src/incidents/incident-service', '../../../bot/esafety-bot'])).toEqual(
      ['tab/src/pages/planted.tsx imports src/incidents/incident-service', 'tab/src/pages/planted.tsx imports bot/esafety-bot'],
    );
  });
});
