// better-sqlite3's native binding keeps the error class of the first test file that loaded it in a Jest
// worker, so its errors can come from another realm: match on the message, not with toThrow.

import { sql } from 'kysely';
import { countingDb } from '../../test/support/counting-db';
import { engines } from '../../test/support/storages';
import { AuditLog } from './audit-log';
import { ConversationReferences } from './conversation-references';
import { migrateToLatest, migrationsAreCurrent } from './migrator';
import type { TestStorage } from '../../test/support/storages';

describe.each(engines)('storage on %s', (_name, open) => {
  let t: TestStorage;
  beforeEach(async () => {
    t = await open();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('applies every migration once and reports the schema current', async () => {
    expect(await migrationsAreCurrent(t.storage)).toBe(true);
    expect(await migrateToLatest(t.storage)).toEqual([]);
  });

  describe('the audit log is evidence: append-only', () => {
    it('keeps entries in order with their detail', async () => {
      const log = new AuditLog(t.storage.db, () => new Date('2026-11-23T09:00:00Z'));
      await log.append({ actorId: 'admin-1', action: 'config.loaded', subjectType: 'school', detail: { tenant: 't' } });
      await log.append({ actorId: null, action: 'server.started', subjectType: 'server', correlationId: 'c-1' });
      const rows = await log.list();
      expect(rows.map((r) => r.action)).toEqual(['config.loaded', 'server.started']);
      expect(rows[0]).toMatchObject({ actorId: 'admin-1', detail: { tenant: 't' }, at: '2026-11-23T09:00:00.000Z' });
      expect(rows[1]!.correlationId).toBe('c-1');
    });

    it('refuses to change an entry', async () => {
      const log = new AuditLog(t.storage.db);
      await log.append({ actorId: 'a', action: 'x', subjectType: 's' });
      await expect(t.storage.db.updateTable('audit_log').set({ action: 'tampered' }).execute()).rejects.toMatchObject({
        message: expect.stringMatching(/append-only/),
      });
      expect((await log.list())[0]!.action).toBe('x');
    });

    it('refuses to delete an entry', async () => {
      const log = new AuditLog(t.storage.db);
      await log.append({ actorId: 'a', action: 'x', subjectType: 's' });
      await expect(t.storage.db.deleteFrom('audit_log').execute()).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
      expect(await log.list()).toHaveLength(1);
    });
  });

  describe('conversation references for proactive messages', () => {
    it('stores one reference per person and replaces it when the chat changes', async () => {
      const refs = new ConversationReferences(t.storage.db);
      await refs.save({ key: 'user-1', kind: 'personal', conversationId: 'a:1', tenantId: 'tid', reference: { n: 1 } });
      await refs.save({ key: 'user-1', kind: 'personal', conversationId: 'a:2', tenantId: 'tid', reference: { n: 2 } });
      await refs.save({ key: '19:team@thread', kind: 'channel', conversationId: '19:team@thread', tenantId: 'tid', reference: {} });
      expect(await refs.find('user-1')).toMatchObject({ conversationId: 'a:2', reference: { n: 2 } });
      expect((await refs.list('personal')).map((r) => r.key)).toEqual(['user-1']);
      expect(await refs.find('nobody')).toBeUndefined();
    });

    it('leaves an unchanged reference as it is, and writes one that changed (tenant included)', async () => {
      let now = new Date('2026-11-23T09:00:00Z');
      const refs = new ConversationReferences(t.storage.db, () => now);
      const entry = { key: 'user-1', kind: 'personal' as const, conversationId: 'a:1', tenantId: null, reference: { n: 1 } };
      expect(await refs.save(entry)).toBe(true);
      now = new Date('2026-11-23T09:05:00Z');
      expect(await refs.save(entry)).toBe(false);
      expect((await refs.find('user-1'))!.updatedAt).toBe('2026-11-23T09:00:00.000Z');
      if (t.storage.engine === 'postgres') {
        // Not even locked: a locked row carries the locker in xmax, and the lock is written to the WAL
        // and flushed at commit, on every click of the start of term.
        const { rows } = await sql<{ xmax: string }>`select xmax::text as xmax from conversation_reference where key = 'user-1'`.execute(t.storage.db);
        expect(rows[0]!.xmax).toBe('0');
      }
      await refs.save({ ...entry, tenantId: 'tid' });
      expect(await refs.find('user-1')).toMatchObject({ tenantId: 'tid', updatedAt: '2026-11-23T09:05:00.000Z' });
      now = new Date('2026-11-23T09:10:00Z');
      await refs.save({ ...entry, tenantId: 'tid', reference: { n: 2 } });
      expect(await refs.find('user-1')).toMatchObject({ reference: { n: 2 }, updatedAt: '2026-11-23T09:10:00.000Z' });
    });

    it('keeps the chats of many activities arriving at once, sharing one statement on PostgreSQL; the same person twice keeps the later chat', async () => {
      const counted = countingDb(t.storage.db);
      const refs = new ConversationReferences(counted.db);
      const entry = (n: number, conversationId = `a:${n}`) => ({
        key: `user-${n}`,
        kind: 'personal' as const,
        conversationId,
        tenantId: 'tid',
        reference: { conversationId },
      });
      await refs.save(entry(1));
      counted.reset();
      const saved = await Promise.all([entry(1), entry(2), entry(3), entry(2, 'a:2-moved'), entry(4)].map((e) => refs.save(e)));
      // user-1 unchanged; user-2 new, then moved (a key twice waits for a statement of its own); 3 and 4 new.
      expect(saved).toEqual([false, true, true, true, true]);
      expect(counted.work.statements).toBe(t.storage.engine === 'postgres' ? 2 : 5);
      expect((await refs.list('personal')).map((r) => [r.key, r.conversationId])).toEqual([
        ['user-1', 'a:1'],
        ['user-2', 'a:2-moved'],
        ['user-3', 'a:3'],
        ['user-4', 'a:4'],
      ]);
    });
  });
});
