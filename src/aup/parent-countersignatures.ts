import { InvalidInput } from '../errors/domain-errors';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Audience } from '../config/school-config';
import { MailNotPermitted, type Mailer } from '../notify/mailer';
import type { SchoolDirectory } from '../school/school-directory';
import { AuditLog } from '../storage/audit-log';
import type { Database } from '../storage/schema';
import type { PolicyLibrary, PolicyVersion } from './policy-library';

const DAY = 86_400_000;
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export class LinkNotUsable extends Error {}

export interface ParentPage {
  /** Null once the link is spent: a forwarded or leaked email no longer names the child. */
  childFirstName: string | null;
  parentName: string | null;
  title: string;
  version: number;
  text: string;
  signedAt: string | null;
}

/**
 * Parents counter-sign the student AUP without a school account: each parent named in the school's
 * data (Education API relatedContacts) gets a link by email from the school mailbox. The link holds
 * 256 random bits; only its digest is stored, it expires, and it works once. The signature records
 * parent, child, version and the text's digest.
 */
export class ParentCountersignatures {
  private readonly db: Kysely<Database>;
  private readonly library: PolicyLibrary;
  private readonly directory: SchoolDirectory;
  private readonly mailer: Mailer | undefined;
  private readonly linkUrl: (token: string) => string;
  private readonly logger: Logger;
  private readonly options: { validDays: number; perMinute: number };
  private readonly now: () => Date;

  constructor(deps: {
    db: Kysely<Database>;
    library: PolicyLibrary;
    directory: SchoolDirectory;
    mailer: Mailer | undefined;
    linkUrl: (token: string) => string;
    logger: Logger;
    options?: { validDays: number; perMinute: number };
    clock?: () => Date;
  }) {
    this.db = deps.db;
    this.library = deps.library;
    this.directory = deps.directory;
    this.mailer = deps.mailer;
    this.linkUrl = deps.linkUrl;
    this.logger = deps.logger;
    this.options = deps.options ?? { validDays: 30, perMinute: 30 };
    this.now = deps.clock ?? (() => new Date());
  }

  /** Queues one email per parent of every child the version is for; asking twice adds no one twice. */
  async invite(version: PolicyVersion, invitedBy: string): Promise<number> {
    if (!this.mailer) throw new InvalidInput('no school mailbox configured (mail.sender): parents cannot be emailed', 'invalid-request');
    if (!(version.audience as Audience[]).includes('students')) throw new InvalidInput('parents counter-sign policies for students only', 'invalid-request');
    const children = (await this.directory.groupMembers('students')) ?? new Set<string>();
    const at = this.now();
    let queued = 0;
    for (const childId of children) {
      const rows = (await this.directory.parentsOf(childId)).map((p) => ({
        id: randomUUID(),
        policy_version_id: version.id,
        child_id: childId,
        parent_email: p.email,
        parent_name: p.name,
        token_hash: null,
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + this.options.validDays * DAY).toISOString(),
        sent_at: null,
        used_at: null,
      }));
      if (rows.length === 0) continue;
      const r = await this.db
        .insertInto('parent_link')
        .values(rows)
        .onConflict((oc) => oc.columns(['policy_version_id', 'child_id', 'parent_email']).doNothing())
        .executeTakeFirst();
      queued += Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    await new AuditLog(this.db, this.now).append({
      actorId: invitedBy,
      action: 'policy.parents-invited',
      subjectType: 'policy-version',
      subjectId: version.id,
      detail: { queued },
    });
    return queued;
  }

  /**
   * Sends queued emails, at most `perMinute` per call (Exchange allows a mailbox about 30 messages a
   * minute). A new token is made at sending, so a crash between the two only means a fresh link.
   */
  async pump(): Promise<number> {
    if (!this.mailer) return 0;
    const due = await this.db.selectFrom('parent_link').selectAll().where('sent_at', 'is', null).orderBy('created_at').limit(this.options.perMinute).execute();
    let sent = 0;
    for (const link of due) {
      const version = await this.library.get(link.policy_version_id);
      const child = (await this.directory.names()).get(link.child_id);
      if (!version || !child) continue;
      const token = randomBytes(32).toString('base64url');
      await this.db
        .updateTable('parent_link')
        .set({ token_hash: digest(token) })
        .where('id', '=', link.id)
        .execute();
      try {
        await this.mailer.send({
          to: [{ name: link.parent_name, email: link.parent_email }],
          subject: `Please counter-sign ${version.title} for ${child.displayName.split(' ')[0]}`,
          text: [
            `Dear ${link.parent_name},`,
            '',
            `We ask every parent or carer to read and counter-sign our ${version.title} with their child.`,
            `Please read it and sign here (the link works once, until ${link.expires_at.slice(0, 10)}):`,
            '',
            this.linkUrl(token),
            '',
            'If you were not expecting this email, please contact the school office.',
          ].join('\n'),
        });
      } catch (e) {
        // Exchange refused the school mailbox: every email stays queued (unsent) until an admin
        // assigns the role; the policy cards to staff and students still go this round.
        if (e instanceof MailNotPermitted) {
          this.logger.warn(e.message);
          break;
        }
        throw e;
      }
      await this.db.updateTable('parent_link').set({ sent_at: this.now().toISOString() }).where('id', '=', link.id).execute();
      sent += 1;
    }
    if (sent) this.logger.info({ sent }, 'parent counter-signature emails sent');
    return sent;
  }

  /** What the parent's page shows; refuses an unknown or expired link. */
  async open(token: string): Promise<ParentPage> {
    const { link, version } = await this.find(token);
    if (link.used_at) return { childFirstName: null, parentName: null, title: version.title, version: version.version, text: '', signedAt: link.used_at };
    const signed = await this.db
      .selectFrom('parent_countersignature')
      .select('signed_at')
      .where('policy_version_id', '=', link.policy_version_id)
      .where('child_id', '=', link.child_id)
      .where('parent_email', '=', link.parent_email)
      .executeTakeFirst();
    return {
      childFirstName: await this.childFirstName(link.child_id),
      parentName: link.parent_name,
      title: version.title,
      version: version.version,
      text: version.text,
      signedAt: signed?.signed_at ?? null,
    };
  }

  private async childFirstName(childId: string): Promise<string> {
    return (await this.directory.names()).get(childId)?.displayName.split(' ')[0] ?? 'your child';
  }

  /** The parent signs: recorded once, and the link is spent. */
  async sign(token: string, typedName: string): Promise<{ signedAt: string; created: boolean; page: ParentPage }> {
    const name = typedName.trim();
    if (name.length < 2 || name.length > 200) throw new LinkNotUsable('Please type your full name to sign.');
    const { link, version } = await this.find(token);
    const at = this.now().toISOString();
    // Only the signing itself is answered with the child's name; a spent link never is again.
    const page = (signedAt: string, childFirstName: string | null): ParentPage => ({
      childFirstName,
      parentName: null,
      title: version.title,
      version: version.version,
      text: '',
      signedAt,
    });
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('parent_countersignature')
          .values({
            id: randomUUID(),
            policy_version_id: version.id,
            child_id: link.child_id,
            parent_email: link.parent_email,
            parent_name: name,
            text_hash: version.text_hash,
            signed_at: at,
          })
          .execute();
        await tx.updateTable('parent_link').set({ used_at: at }).where('id', '=', link.id).execute();
        await new AuditLog(this.db, this.now).append(
          {
            actorId: `parent:${link.parent_email}`,
            action: 'policy.parent-countersigned',
            subjectType: 'policy-version',
            subjectId: version.id,
            detail: { childId: link.child_id },
          },
          tx,
        );
      });
      return { signedAt: at, created: true, page: page(at, await this.childFirstName(link.child_id)) };
    } catch (e) {
      const existing = await this.db
        .selectFrom('parent_countersignature')
        .select('signed_at')
        .where('policy_version_id', '=', version.id)
        .where('child_id', '=', link.child_id)
        .where('parent_email', '=', link.parent_email)
        .executeTakeFirst();
      if (existing) return { signedAt: existing.signed_at, created: false, page: page(existing.signed_at, null) };
      throw e;
    }
  }

  /** Children of this version with at least one parent's counter-signature, out of those invited. */
  async counts(versionId: string): Promise<{ invited: number; signed: number }> {
    const invited = await this.db.selectFrom('parent_link').select('child_id').distinct().where('policy_version_id', '=', versionId).execute();
    const signed = await this.db.selectFrom('parent_countersignature').select('child_id').distinct().where('policy_version_id', '=', versionId).execute();
    return { invited: invited.length, signed: signed.length };
  }

  private async find(token: string) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new LinkNotUsable('This link is not valid. Please use the link in your email, or contact the school office.');
    const link = await this.db.selectFrom('parent_link').selectAll().where('token_hash', '=', digest(token)).executeTakeFirst();
    if (!link) throw new LinkNotUsable('This link is not valid (a newer email may have replaced it). Please contact the school office.');
    if (link.expires_at < this.now().toISOString() && !link.used_at)
      throw new LinkNotUsable('This link has expired. Please contact the school office for a new one.');
    const version = await this.library.get(link.policy_version_id);
    if (!version) throw new LinkNotUsable('This policy is no longer available.');
    return { link, version };
  }
}
