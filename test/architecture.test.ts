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
    sources(join(root, 'src')).flatMap((f) => importsOf(f).filter((i) => pattern.test(i)).map((i) => `${relative(root, f)} imports ${i}`));

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
