import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import { PrecompiledQuery } from './precompiled-query';
import { batchedStatement } from './statement-batches';
import type { ConversationReferenceTable, Database } from './schema';

export type ConversationKind = ConversationReferenceTable['kind'];

export interface StoredConversation<TReference = unknown> {
  key: string;
  kind: ConversationKind;
  conversationId: string;
  tenantId: string | null;
  reference: TReference;
  updatedAt: string;
}

type ConversationRow = Selectable<ConversationReferenceTable>;

/**
 * Every activity saves its conversation: compiled once (precompiled-query.ts). An unchanged row is
 * not even offered to the insert (WHERE NOT EXISTS), so it is not locked: on PostgreSQL a no-op
 * upsert still locks the row, which writes and flushes the WAL at its commit, on every click.
 */
const saveIfChanged = new PrecompiledQuery((db, values: ConversationRow) =>
  db
    .insertInto('conversation_reference')
    .columns(['key', 'kind', 'conversation_id', 'tenant_id', 'reference', 'updated_at'])
    .expression(
      db
        .selectNoFrom((eb) => [
          eb.val(values.key).as('key'),
          eb.val(values.kind).as('kind'),
          eb.val(values.conversation_id).as('conversation_id'),
          eb.val(values.tenant_id).as('tenant_id'),
          eb.val(values.reference).as('reference'),
          eb.val(values.updated_at).as('updated_at'),
        ])
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('conversation_reference')
                .select('key')
                .where('key', '=', values.key)
                .where('kind', '=', values.kind)
                .where('conversation_id', '=', values.conversation_id)
                .where('tenant_id', 'is not distinct from', values.tenant_id)
                .where('reference', '=', values.reference),
            ),
          ),
        ),
    )
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({
          kind: values.kind,
          conversation_id: values.conversation_id,
          tenant_id: values.tenant_id,
          reference: values.reference,
          updated_at: values.updated_at,
        })
        .where((eb) =>
          eb.or([
            eb('conversation_reference.kind', '<>', values.kind),
            eb('conversation_reference.conversation_id', '<>', values.conversation_id),
            eb('conversation_reference.tenant_id', 'is distinct from', values.tenant_id),
            eb('conversation_reference.reference', '<>', values.reference),
          ]),
        ),
    ),
);

/**
 * PostgreSQL: the same for many activities at once, in one statement (statement-batches.ts). Says,
 * for each, whether its row was new or changed. A key twice in one statement would be updated twice,
 * which PostgreSQL refuses: a repeated key waits for the next statement, in the order it came. Rows
 * go in in key order, so two instances never wait for each other in a circle (deadlock).
 */
async function savedIfChanged(db: Kysely<Database>, entries: readonly ConversationRow[]): Promise<boolean[]> {
  const changed: boolean[] = [];
  let rest = entries.map((row, at) => ({ row, at }));
  while (rest.length > 0) {
    const seen = new Set<string>();
    const now = rest.filter(({ row }) => !seen.has(row.key) && seen.add(row.key));
    rest = rest.filter((e) => !now.includes(e));
    const column = <K extends keyof ConversationRow>(k: K) => now.map(({ row }) => row[k]);
    const { rows } = await sql<{ key: string }>`
      INSERT INTO conversation_reference (key, kind, conversation_id, tenant_id, reference, updated_at)
      SELECT c.key, c.kind, c.conversation_id, c.tenant_id, c.reference, c.updated_at
      FROM unnest(${column('key')}::text[], ${column('kind')}::text[], ${column('conversation_id')}::text[], ${column('tenant_id')}::text[],
                  ${column('reference')}::text[], ${column('updated_at')}::text[]) AS c(key, kind, conversation_id, tenant_id, reference, updated_at)
      WHERE NOT EXISTS (
        SELECT 1 FROM conversation_reference r
        WHERE r.key = c.key AND r.kind = c.kind AND r.conversation_id = c.conversation_id
          AND r.tenant_id IS NOT DISTINCT FROM c.tenant_id AND r.reference = c.reference)
      ORDER BY c.key
      ON CONFLICT (key) DO UPDATE SET
        kind = excluded.kind, conversation_id = excluded.conversation_id, tenant_id = excluded.tenant_id,
        reference = excluded.reference, updated_at = excluded.updated_at
      WHERE conversation_reference.kind <> excluded.kind OR conversation_reference.conversation_id <> excluded.conversation_id
        OR conversation_reference.tenant_id IS DISTINCT FROM excluded.tenant_id OR conversation_reference.reference <> excluded.reference
      RETURNING key`.execute(db);
    const written = new Set(rows.map((r) => r.key));
    for (const { row, at } of now) changed[at] = written.has(row.key);
  }
  return changed;
}

/**
 * Where to send proactive messages (AUP cards, incident cards). Kept in the database so every app
 * instance can reach every person. The reference is opaque here: the bot adapter owns its shape.
 */
export class ConversationReferences {
  /** PostgreSQL: activities handled together share one statement. */
  private readonly batchedSave?: (row: ConversationRow) => Promise<boolean>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) this.batchedSave = batchedStatement((rows) => savedIfChanged(db, rows));
  }

  /**
   * Keeps where a conversation is. Written only when it changed: every activity brings its
   * conversation, and at the start of term a thousand clicks would each rewrite an identical row.
   * One statement either way; an unchanged row is left as it is (updated_at is when it last changed).
   * Says whether the row was new or changed: someone who could not be reached before may be now.
   */
  async save(entry: Omit<StoredConversation, 'updatedAt'>): Promise<boolean> {
    const values = {
      key: entry.key,
      kind: entry.kind,
      conversation_id: entry.conversationId,
      tenant_id: entry.tenantId,
      reference: JSON.stringify(entry.reference),
      updated_at: this.now().toISOString(),
    };
    if (this.batchedSave) return this.batchedSave(values);
    const result = await saveIfChanged.execute(this.db, values);
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  async find<T = unknown>(key: string): Promise<StoredConversation<T> | undefined> {
    const row = await this.db.selectFrom('conversation_reference').selectAll().where('key', '=', key).executeTakeFirst();
    return row && toStored<T>(row);
  }

  async list<T = unknown>(kind?: ConversationKind): Promise<StoredConversation<T>[]> {
    let q = this.db.selectFrom('conversation_reference').selectAll().orderBy('key');
    if (kind) q = q.where('kind', '=', kind);
    return (await q.execute()).map((r) => toStored<T>(r));
  }
}

function toStored<T>(row: Selectable<ConversationReferenceTable>): StoredConversation<T> {
  return {
    key: row.key,
    kind: row.kind,
    conversationId: row.conversation_id,
    tenantId: row.tenant_id,
    reference: JSON.parse(row.reference) as T,
    updatedAt: row.updated_at,
  };
}
