/**
 * The tab API's shapes: the server's contract (src/contract, zod schemas with their inferred types).
 * This file is the tab's one door into src/: types only, so nothing of the server enters the bundle.
 */
export type {
  AuditFinding,
  Category,
  SubCategory,
  AuditLatest,
  AuditRunResponse,
  AuditTrendPoint,
  AcceptanceStatus,
  AcceptPolicyResponse,
  ConfideRequest,
  Coverage,
  Figure,
  GovernorsRow,
  HalfTerm,
  HalfTermReport,
  ImportTrainingResponse,
  IncidentDetail,
  IncidentFilter,
  IncidentRow,
  InviteParentsResponse,
  LessonClass,
  Me,
  MyPolicy,
  Persona,
  PersonChronology,
  PolicySummary,
  PublishResponse,
  RaiseIncidentResponse,
  RecordReviewRequest,
  RecordTrainingRequest,
  ReportConcernRequest,
  ReviewStatus,
  StartLessonRequest,
  TrainingRow,
} from '../../src/contract';

/*
 * Two rows the server does not yet answer in the contract's camelCase (src/server/lesson-routes.ts
 * and aup-routes.ts still send the stored rows): until they do, the tab reads what is sent.
 * When they move, replace these with the contract's `Lesson` and `AcceptanceRecord`.
 */
export interface LessonRow {
  id: string;
  title: string;
  class_name: string;
  starts_at: string;
  ends_at: string;
  join_url: string;
  announced_at: string | null;
  ended_at: string | null;
  recording_checked_at: string | null;
  recording_found: number | null;
}

export interface AcceptanceRecord {
  policy_id: string;
  version: number;
  accepted_at: string;
  channel: string;
  text_hash: string;
}
