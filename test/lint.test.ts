import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..');

/** ESLint on a planted text, as if it were the file at `path`: which rules it breaks. */
function rulesBrokenBy(path: string, text: string): string[] {
  const run = spawnSync(
    process.execPath,
    [resolve(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', path],
    {
      cwd: root,
      input: text,
      encoding: 'utf8',
    },
  );
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('npm run lint holds the layers and the promises', () => {
  it('refuses a low folder of src/ reaching up into a feature or the bot, and a forgotten await', () => {
    const broken = rulesBrokenBy(
      'src/errors/domain-errors.ts',
      [
        "import { IncidentService } from '../incidents/incident-service';",
        "import { ESafetyBot } from '../../bot/esafety-bot';",
        'export const used = [IncidentService, ESafetyBot];',
        'async function save(): Promise<void> {}',
        'export function click(): void {',
        '  save();',
        '}',
        '',
      ].join('\n'),
    );
    expect(broken.filter((r) => r === 'boundaries/dependencies')).toHaveLength(2);
    expect(broken).toContain('@typescript-eslint/no-floating-promises');
  }, 120_000);

  it('refuses the tab importing server code other than the contract', () => {
    const broken = rulesBrokenBy('tab/src/api-types.ts', "import type { Person } from '../../src/school/school-directory';\nexport type P = Person;\n");
    expect(broken).toContain('boundaries/dependencies');
  }, 120_000);
});
