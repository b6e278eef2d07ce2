import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Command, type CommanderError, InvalidArgumentError } from 'commander';

/**
 * The command line's own mistakes (a mistyped command, a missing argument, a number that is not
 * one): one line saying what is wrong, the likely meant word, and where help is. Exit code 2, as
 * for a bad configuration: the input is wrong, nothing ran.
 */
export class UsageError extends Error {
  constructor(
    message: string,
    /** 0 when the person asked for help or the version: that is not an error. */
    readonly exitCode: number,
    /** Commander has already written the help text, so there is nothing more to say. */
    readonly alreadyShown = false,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A whole number of zero or more; "12abc", "1e3", "0x10" and "" are not. */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('It must be a whole number.');
  return Number(value);
}

/** A TCP port; 0 asks the system for a free one. */
export function portNumber(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError('It must be a port number from 0 to 65535.');
  return n;
}

/** A count of people: at least one. */
export function positiveWholeNumber(value: string): number {
  const n = wholeNumber(value);
  if (n < 1) throw new InvalidArgumentError('It must be 1 or more.');
  return n;
}

const commandPath = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/**
 * Commander's "error: unknown command 'auidt'\n(Did you mean audit?)" as one line:
 * "unknown command 'auidt'. Did you mean 'audit'? See 'esafety --help'."
 */
export function usageLine(commanderMessage: string, cmd: Command): string {
  const [first = '', ...rest] = commanderMessage.split('\n');
  const what = first.replace(/^error: /, '').replace(/\.$/, '');
  const similar = rest.join(' ').match(/^\(Did you mean (one of )?(.+)\?\)$/);
  const quoted = similar?.[2]
    ?.split(', ')
    .map((s) => `'${s}'`)
    .join(', ');
  const suggestion = similar ? ` Did you mean ${similar[1] ?? ''}${quoted}?` : '';
  return `${what}.${suggestion} See '${commandPath(cmd)} --help'.`;
}

/**
 * Makes every command (however deep) report its argument errors as a UsageError instead of
 * printing commander's text and calling process.exit: the caller prints one line and exits 2.
 * Call it once the commands are defined.
 */
export function oneLineUsageErrors(program: Command): void {
  const visit = (cmd: Command) => {
    cmd.configureOutput({ outputError: () => undefined });
    cmd.exitOverride((err: CommanderError) => {
      if (err.exitCode === 0) throw new UsageError('', 0, true);
      // No command given: commander has written the help, which is the best answer.
      if (err.code === 'commander.help') throw new UsageError('', 2, true);
      throw new UsageError(usageLine(err.message, cmd), 2);
    });
    cmd.commands.forEach(visit);
  };
  visit(program);
}

/**
 * The folder holding package.json, whether running from source or from dist/ (start-app has the
 * same walk; this one does not pull in the server to print a version).
 */
export function packageFolder(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** The version in package.json. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageFolder(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
