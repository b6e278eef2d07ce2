import type { Generated } from 'kysely';

/**
 * The one schema shared by SQLite and PostgreSQL. Times are ISO-8601 UTC strings (they sort and
 * compare the same on both engines); structured details are JSON text.
 */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  detail: string;
  /** Correlation id of the request or activity that caused it. */
  correlation_id: string | null;
}

export interface ConversationReferenceTable {
  /** Entra object id of the person (personal chat) or the conversation id (team, group chat). */
  key: string;
  kind: 'personal' | 'channel' | 'groupChat' | 'meeting';
  conversation_id: string;
  tenant_id: string | null;
  reference: string;
  updated_at: string;
}

export interface AuditRunTable {
  id: string;
  tenant_id: string;
  started_at: string;
  finished_at: string;
  trigger: string;
  stats: string;
  coverage: string;
  finding_count: number;
}

/** The newest delta link of each drive the audit reads, one value per tenant, never one per run. */
export interface AuditDeltaLinksTable {
  tenant_id: string;
  /** JSON: each drive's key to its newest delta link. */
  links: string;
}

export interface AuditFindingTable {
  run_id: string;
  finding_key: string;
  rule: string;
  severity: string;
  subject_type: string;
  subject_id: string;
  subject_name: string;
  detail: string;
  policy_ref: string;
  fix: string;
}

export interface FindingAcceptanceTable {
  id: string;
  finding_key: string;
  reason: string;
  accepted_by: string;
  accepted_at: string;
  expires_at: string;
}

export interface JobLeaseTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface IncidentTable {
  id: string;
  submission_id: string;
  reported_at: string;
  reporter_id: string;
  category: string;
  sub_category: string;
  urgent: number;
}

export interface IncidentEntryTable {
  seq: Generated<number>;
  incident_id: string;
  kind: string;
  actor_id: string;
  at: string;
  body: string;
  prev_hash: string;
  hash: string;
  /** What the hash commits to: the body's digest, so the body can be erased under retention. */
  body_hash: string;
  /** When the body was erased under the retention policy; null while it is kept. */
  erased_at: string | null;
  /** Digest of the incident row (category, urgency, reporter...), committed by the hash (0011). */
  subject_digest: string;
  /** JSON [[delivery id, digest of its recipient]] for the deliveries queued with this entry. */
  deliveries: string;
  /** Which incident log key sealed this entry (a digest of the key, not the key). */
  key_id: string;
  /** HMAC of the hash under that key: without the key, a rewritten chain cannot be re-sealed. */
  mac: string;
}

export interface IncidentDeliveryTable {
  id: string;
  incident_id: string;
  recipient: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  updated_at: string;
  recipient_id: string | null;
  activity_id: string | null;
  /** When a queued card is next tried: at once when queued, later after each failed attempt (0013). */
  next_attempt_at: string;
}

/** Who reported each incident and whom it names: an index of the report, so a person's chronology reads only theirs (0013). */
export interface IncidentPersonTable {
  incident_id: string;
  /** The Entra id: the reporter's, or a named person's the directory recognised. */
  person_id: string | null;
  /** A named person's name as typed, trimmed and lower-cased; null for the reporter. */
  name_key: string | null;
  role: 'reporter' | 'named';
}

export interface PolicyVersionTable {
  id: string;
  policy_id: string;
  version: number;
  title: string;
  text: string;
  text_hash: string;
  /** JSON array of the clause texts the card shows. */
  clauses: string;
  /** JSON array of audiences (staff, students, governors, volunteers). */
  audience: string;
  published_at: string;
  published_by: string;
}

export interface AcceptanceTable {
  id: string;
  acceptance_key: string;
  policy_id: string;
  version: number;
  person_id: string;
  upn: string;
  text_hash: string;
  accepted_at: string;
  channel: 'teams-card' | 'tab';
}

export interface CampaignTable {
  id: string;
  policy_version_id: string;
  started_at: string;
  started_by: string;
  deadline: string;
}

export type CampaignMessageKind = 'card' | 'reminder-1' | 'reminder-2' | 'overdue';

export interface CampaignDeliveryTable {
  id: string;
  campaign_id: string;
  person_id: string;
  kind: CampaignMessageKind;
  status: 'queued' | 'sending' | 'sent' | 'no-conversation' | 'skipped';
  attempts: number;
  /** Not sent before this time (reminders are queued ahead; a 429 pushes it back). */
  not_before: string;
  updated_at: string;
  /** A card: the Teams message it became (so it can be updated once accepted). */
  activity_id: string | null;
  /**
   * An overdue notice, which goes as digests to several people: a JSON array of the recipients
   * told so far, so a retry goes only to those not yet told (src/aup/overdue-notices.ts; 0017).
   */
  told: string | null;
}

export interface ParentLinkTable {
  id: string;
  policy_version_id: string;
  child_id: string;
  parent_email: string;
  parent_name: string;
  /** SHA-256 of the token in the emailed link; null until the email is sent. */
  token_hash: string | null;
  created_at: string;
  expires_at: string;
  sent_at: string | null;
  used_at: string | null;
}

export interface ParentCountersignatureTable {
  id: string;
  policy_version_id: string;
  child_id: string;
  parent_email: string;
  parent_name: string;
  text_hash: string;
  signed_at: string;
}

export interface LessonTable {
  id: string;
  submission_id: string;
  teacher_id: string;
  class_id: string;
  class_name: string;
  title: string;
  starts_at: string;
  ends_at: string;
  event_id: string;
  online_meeting_id: string;
  join_url: string;
  /** The meeting chat's thread id, where the recording announcement goes. */
  chat_id: string | null;
  /** 1 the app is in the meeting chat (announces at start), 0 it could not join, null before 0010. */
  app_in_chat: number | null;
  created_at: string;
  started_at: string | null;
  announced_at: string | null;
  ended_at: string | null;
  recording_checked_at: string | null;
  /** 1 found, 0 none, null not checked yet. */
  recording_found: number | null;
}

export interface GraphSubscriptionTable {
  id: string;
  user_id: string;
  resource: string;
  client_state: string;
  expires_at: string;
  /** Since when it has watched (migration 0016); null for one made before: not trusted to have seen every change. */
  watching_since: string | null;
}

/** When a staff calendar last changed, as its subscription told the app (migration 0016). */
export interface CalendarChangeTable {
  user_id: string;
  changed_at: string;
}

/** Change notifications as received: answered at once, processed from here (0010). */
export interface GraphNotificationQueueTable {
  id: Generated<number>;
  body: string;
  received_at: string;
  /** null until processed; a claim stamps it before processing, so one instance takes each. */
  claimed_at: string | null;
  attempts: number;
}

export interface GraphNotificationSeenTable {
  key: string;
  seen_at: string;
}

export interface PolicyReviewTable {
  id: string;
  policy_id: string;
  reviewed_at: string;
  reviewed_by: string;
  changed: number;
  governors_approved_on: string | null;
  notes: string;
  version: number | null;
}

export interface PolicyReviewReminderTable {
  policy_id: string;
  review_by: string;
  owner_id: string;
  sent_at: string;
  delivery: string;
}

/** Where an incremental audit resumes, per tenant (migration 0016). */
export interface AuditWatermarkTable {
  tenant_id: string;
  changes_from: string;
  last_full_at: string;
  updated_at: string;
}

export interface TrainingRecordTable {
  id: string;
  record_key: string;
  person_id: string;
  upn: string;
  course: string;
  completed_on: string;
  expires_on: string | null;
  evidence_url: string;
  recorded_by: string;
  recorded_at: string;
}

/** A person as the school directory keeps them (from `/users/delta`). */
export interface DirectoryUserTable {
  id: string;
  display_name: string;
  user_principal_name: string;
  upn_lower: string;
  mail: string | null;
  mail_lower: string | null;
  user_type: string;
  job_title: string | null;
  /** JSON array of licence sku ids. */
  licences: string;
}

/** A direct member of a tracked group (from `/groups/delta` `members@delta`). */
export interface DirectoryMemberTable {
  group_id: string;
  member_id: string;
  member_type: 'user' | 'group';
}

/** Where a directory delta query resumes, and the refresh generation. */
export interface DirectorySyncTable {
  name: string;
  delta_link: string | null;
  detail: string;
  synced_at: string;
  generation: number;
}

export interface Database {
  audit_log: AuditLogTable;
  conversation_reference: ConversationReferenceTable;
  audit_run: AuditRunTable;
  audit_finding: AuditFindingTable;
  audit_delta_links: AuditDeltaLinksTable;
  finding_acceptance: FindingAcceptanceTable;
  job_lease: JobLeaseTable;
  incident: IncidentTable;
  incident_entry: IncidentEntryTable;
  incident_delivery: IncidentDeliveryTable;
  incident_person: IncidentPersonTable;
  policy_version: PolicyVersionTable;
  acceptance: AcceptanceTable;
  campaign: CampaignTable;
  campaign_delivery: CampaignDeliveryTable;
  parent_link: ParentLinkTable;
  parent_countersignature: ParentCountersignatureTable;
  lesson: LessonTable;
  graph_subscription: GraphSubscriptionTable;
  graph_notification_seen: GraphNotificationSeenTable;
  policy_review: PolicyReviewTable;
  policy_review_reminder: PolicyReviewReminderTable;
  training_record: TrainingRecordTable;
  graph_notification_queue: GraphNotificationQueueTable;
  directory_user: DirectoryUserTable;
  directory_member: DirectoryMemberTable;
  directory_sync: DirectorySyncTable;
  audit_watermark: AuditWatermarkTable;
  calendar_change: CalendarChangeTable;
}
