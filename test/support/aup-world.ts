import { resolve } from 'node:path';
import pino from 'pino';
import { AcceptanceRegister } from '../../src/aup/acceptance-register';
import { AupCampaigns, DEFAULT_CAMPAIGN_SETTINGS, type CampaignSettings } from '../../src/aup/aup-campaigns';
import { AupService } from '../../src/aup/aup-service';
import { PolicyLibrary } from '../../src/aup/policy-library';
import { loadSchoolConfig } from '../../src/config/load-school-config';
import type { SchoolConfig } from '../../src/config/school-config';
import type { GraphAccess } from '../../src/graph/graph-access';
import type { AppInstaller } from '../../src/notify/app-installer';
import type { Notifier } from '../../src/notify/notifier';
import { Pacer } from '../../src/notify/pacer';
import { SchoolDirectory } from '../../src/school/school-directory';
import type { Storage } from '../../src/storage/database';
import { readFileSync } from 'node:fs';

export const DEMO_CONFIG_FILE = resolve(__dirname, '../../config/demo-school.yaml');
export const demoConfig = loadSchoolConfig(DEMO_CONFIG_FILE);
export const readDemoPolicy = (file: string) => readFileSync(resolve(__dirname, '../../config', file), 'utf8');

/** The AUP services wired over a storage, the demo Graph and a notifier, on a clock the test moves. */
export function aupWorld(
  storage: Storage,
  graph: GraphAccess,
  notifier: Notifier,
  options: { config?: SchoolConfig; settings?: Partial<CampaignSettings>; readPolicy?: (file: string) => string; installer?: AppInstaller } = {},
) {
  const clock = { now: new Date('2026-11-23T09:00:00Z') };
  const now = () => clock.now;
  const config = options.config ?? demoConfig;
  const directory = new SchoolDirectory(graph, config);
  const library = new PolicyLibrary(storage.db, config, options.readPolicy ?? readDemoPolicy, now);
  const register = new AcceptanceRegister(storage.db, now);
  const links = { policyText: (id: string) => `https://esafety.test/#my-policies/${id}`, coverage: (id: string) => `https://esafety.test/#policies/${id}` };
  // Teams' pace, on the test's clock: waits move the clock instead of sleeping.
  const pacer = new Pacer({ now: () => clock.now.getTime(), sleep: async (ms) => void (clock.now = new Date(clock.now.getTime() + ms)) });
  const campaigns = new AupCampaigns({
    db: storage.db,
    library,
    register,
    directory,
    notifier,
    pacer,
    links,
    logger: pino({ level: 'silent' }),
    settings: { ...DEFAULT_CAMPAIGN_SETTINGS, ...options.settings },
    clock: now,
    installer: options.installer,
  });
  const service = new AupService({ db: storage.db, config, library, register, campaigns, directory, notifier, links, clock: now });
  return { clock, directory, library, register, campaigns, service, pacer };
}
