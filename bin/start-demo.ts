import { PERSONA_KEYS, type PersonaKey } from './demo-personas';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { startDemoTenantServer, type RunningDemoTenant } from '../src/demo-tenant/demo-tenant-server';
import { createDemoTenant } from '../src/demo-tenant/graph-handlers';
import type { DemoMeetings } from '../src/demo-tenant/meeting-handlers';
import { generateSchool, keyPeople, sizeForUsers } from '../src/demo-tenant/school-generator';
import type { DemoSchool } from '../src/demo-tenant/school-model';
import type { DemoPersona } from '../src/server/create-server';
import type { Logger } from '../src/logging/logger';
import { packageRoot, startApp, type RunningApp } from './start-app';
import { seedDemoHalfTerm } from '../src/governance/demo-half-term';
import { halfTermOf, previousHalfTerm } from '../src/governance/half-terms';

export interface DemoOptions {
  port?: number;
  tenantPort?: number;
  playgroundPort?: number;
  playground?: boolean;
  databaseUrl?: string;
  users?: number;
  /** Who you are in the playground's personal chat (a persona's Entra id); the teacher by default. */
  playgroundUser?: string;
  /** The same, by the persona's short name (`npm run demo -- --as dsl`); `playgroundUser` wins. */
  playgroundPersona?: PersonaKey;
  /** The daily audit, which also runs once at start (default on); 'manual': created, not started. */
  auditSchedule?: boolean | 'manual';
  logger?: Logger;
}

export interface RunningDemo {
  app: RunningApp;
  tenant: RunningDemoTenant;
  school: DemoSchool;
  /** People's own meetings in the demo tenant (change notifications follow). */
  meetings: DemoMeetings;
  playgroundUrl?: string;
  playground?: ChildProcess;
  close(): Promise<void>;
}

export { PERSONA_KEYS, type PersonaKey };

export function demoPersonas(school: DemoSchool): DemoPersona[] {
  const p = keyPeople(school);
  const persona = (u: (typeof p)[keyof typeof p], description: string): DemoPersona => ({
    id: u.id,
    displayName: u.displayName,
    userPrincipalName: u.userPrincipalName,
    description,
  });
  return [
    persona(p.teacher, 'Teacher of English'),
    persona(p.dsl, 'Designated Safeguarding Lead'),
    persona(p.deputyDsl, 'Deputy DSL'),
    persona(p.headteacher, 'Headteacher'),
    persona(p.itAdmin, 'IT Manager (admin)'),
    persona(p.student, 'Student, Year 7'),
    persona(p.governor, 'Chair of Governors'),
  ];
}

/**
 * The playground's mock Teams users are the demo tenant's people, so the bot sees real ids. The
 * current user comes first; the playground accepts at most five others.
 */
export function playgroundUsers(personas: DemoPersona[], currentUserId?: string) {
  const ordered = currentUserId ? [...personas.filter((p) => p.id === currentUserId), ...personas.filter((p) => p.id !== currentUserId)] : personas;
  return ordered.slice(0, 6).map((p, i) => {
    const [givenName = p.displayName, surname = ''] = p.displayName.split(' ');
    return {
      id: `user-id-${i}`,
      name: p.displayName,
      userPrincipleName: p.userPrincipalName,
      aadObjectId: p.id,
      givenName,
      surname,
      email: p.userPrincipalName,
    };
  });
}

export function playgroundConfig(school: DemoSchool, personas: DemoPersona[], currentUserId?: string): string {
  const users = playgroundUsers(personas, currentUserId);
  const firstClass = school.groups.find((g) => g.kind === 'class')!;
  return stringify({
    version: '0.1.1',
    tenantId: school.tenantId,
    bot: { id: '00000000-0000-4000-a000-00000000e5af', name: 'E-Safety' },
    currentUser: users[0],
    users: users.slice(1),
    personalChat: { id: 'conv-personal' },
    groupChat: { id: 'conv-group', name: 'Safeguarding chat' },
    team: { id: 'team-id', name: firstClass.displayName, aadGroupId: firstClass.id, channels: [{ id: 'channel-general', name: 'General' }] },
  });
}

/** The Entra id of whoever the playground's chat is as (the teacher unless asked otherwise). */
export function playgroundUserOf(school: DemoSchool, options: Pick<DemoOptions, 'playgroundUser' | 'playgroundPersona'>): string {
  return options.playgroundUser ?? keyPeople(school)[PERSONA_KEYS[options.playgroundPersona ?? 'teacher']].id;
}

/** Who the seeded half-term's incidents, lessons and training are about, from the generated school. */
export function demoHalfTermPeople(school: DemoSchool) {
  const p = keyPeople(school);
  const staffIds = new Set(school.groups.find((g) => g.mail.startsWith('allstaff'))?.memberIds ?? []);
  const firstClass = school.groups.find((g) => g.kind === 'class')!;
  return {
    tenantId: school.tenantId,
    dsl: p.dsl.id,
    teacher: p.teacher.id,
    headteacher: p.headteacher.id,
    staff: school.users.filter((u) => staffIds.has(u.id)).map((u) => ({ id: u.id, upn: u.userPrincipalName.toLowerCase() })),
    classId: firstClass.id,
    className: firstClass.displayName,
  };
}

/** Everything on one machine: the demo tenant, the app on SQLite, and the Agents Playground. */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const root = packageRoot();
  const school = generateSchool(options.users ? { size: sizeForUsers(options.users) } : {});
  const demoTenant = createDemoTenant(school);
  const tenant = await startDemoTenantServer(demoTenant, options.tenantPort ?? 5599);
  const personas = demoPersonas(school);
  let app: RunningApp;
  try {
    app = await startApp({
      configFile: join(root, 'config', 'demo-school.yaml'),
      databaseUrl: options.databaseUrl ?? `sqlite:${join(root, 'data', 'demo.db')}`,
      // The demo keeps the incident log's external checkpoints beside its database, as its key.
      ...(options.databaseUrl ? {} : { incidentCheckpointFile: join(root, 'data', 'demo.db.incident-checkpoints.jsonl') }),
      port: options.port ?? 3978,
      graph: { baseUrl: tenant.graphBaseUrl, auth: { mode: 'demo' }, exchangeAdminUrl: `${tenant.url}/adminapi/beta` },
      demo: { personas },
      ...(options.auditSchedule === false ? {} : { auditSchedule: { intervalMs: 24 * 60 * 60_000, autoStart: options.auditSchedule !== 'manual' } }),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (e) {
    await tenant.close();
    throw e;
  }

  // The last complete half-term, so the governors' report opens on real figures (issue 18).
  try {
    await seedDemoHalfTerm(app.storage, previousHalfTerm(halfTermOf(new Date())), demoHalfTermPeople(school), app.incidentLogKeys);
  } catch (e) {
    app.logger.warn({ err: e }, 'the demo half-term could not be seeded; the governors\u2019 report will show empty figures');
  }

  let playground: ChildProcess | undefined;
  let playgroundUrl: string | undefined;
  if (options.playground !== false) {
    const dir = resolve(root, 'data', 'playground');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.m365agentsplayground.yml'), playgroundConfig(school, personas, playgroundUserOf(school, options)));
    const port = options.playgroundPort ?? 56150;
    playground = spawn(
      process.execPath,
      [
        join(root, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js'),
        '-e',
        `${app.url}/api/messages`,
        '-c',
        'msteams',
        '-p',
        String(port),
        '--disable-telemetry',
        '--conversation-id',
        'conv-personal',
      ],
      {
        cwd: dir,
        // No browser to open here, and no cloud metadata look-ups: the playground runs offline.
        env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    playground.stdout?.resume();
    const errors: string[] = [];
    playground.stderr?.on('data', (d: Buffer) => errors.push(d.toString()));
    playground.once('exit', (code) => {
      if (code) options.logger?.error({ code }, 'the Agents Playground stopped');
      if (code) process.stderr.write(`The Agents Playground stopped (exit ${code}): ${errors.join('').trim().split('\n').slice(-3).join(' ')}\n`);
    });
    playgroundUrl = `http://localhost:${port}/`;
  }

  return {
    app,
    tenant,
    meetings: demoTenant.meetings,
    school,
    ...(playgroundUrl ? { playgroundUrl } : {}),
    ...(playground ? { playground } : {}),
    async close() {
      if (playground && playground.exitCode === null) {
        const exited = new Promise((r) => playground!.once('exit', r));
        playground.kill('SIGTERM');
        await exited;
      }
      await app.close();
      await tenant.close();
    },
  };
}
