import type { Kysely } from 'kysely';
import type { Engine } from '../database';
import * as m0001 from './0001-initial';
import * as m0002 from './0002-audit';
import * as m0003 from './0003-job-lease';
import * as m0004 from './0004-incidents';
import * as m0005 from './0005-delivery-activity';
import * as m0006 from './0006-incident-erasure';
import * as m0007 from './0007-aup';
import * as m0008 from './0008-parent-countersignature';
import * as m0009 from './0009-lessons';
import * as m0010 from './0010-lesson-chat-and-notification-queue';
import * as m0011 from './0011-incident-log-anchor';
import * as m0012 from './0012-governance';
import * as m0013 from './0013-incident-scale';
import * as m0014 from './0014-school-directory';
import * as m0015 from './0015-audit-delta-links';
import * as m0016 from './0016-audit-watermark';
import * as m0017 from './0017-overdue-told';

/** What a migration may need from outside the database (the incident log key, never stored in it). */
export interface MigrationContext {
  sealIncidentLog?: (data: string) => { keyId: string; mac: string };
}

export interface Migration {
  name: string;
  up(db: Kysely<unknown>, engine: Engine, context: MigrationContext): Promise<void>;
}

/** In order. A released migration is never edited: add a new one. */
export const migrations: Migration[] = [
  { name: '0001-initial', up: m0001.up },
  { name: '0002-audit', up: m0002.up },
  { name: '0003-job-lease', up: m0003.up },
  { name: '0004-incidents', up: m0004.up },
  { name: '0005-delivery-activity', up: m0005.up },
  { name: '0006-incident-erasure', up: m0006.up },
  { name: '0007-aup', up: m0007.up },
  { name: '0008-parent-countersignature', up: m0008.up },
  { name: '0009-lessons', up: m0009.up },
  { name: '0010-lesson-chat-and-notification-queue', up: m0010.up },
  { name: '0011-incident-log-anchor', up: m0011.up },
  { name: '0012-governance', up: m0012.up },
  { name: '0013-incident-scale', up: m0013.up },
  { name: '0014-school-directory', up: m0014.up },
  { name: '0015-audit-delta-links', up: m0015.up },
  { name: '0016-audit-watermark', up: m0016.up },
  { name: '0017-overdue-told', up: m0017.up },
];
