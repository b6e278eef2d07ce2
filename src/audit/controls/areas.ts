/**
 * The areas of the tenant the collector reads, one coverage entry each. Controls name the area they
 * need from this list, so a misspelt area is a type error, and the registry test checks the collector
 * really reports each one (src/audit/collect uses the same type). The list itself is in the tab
 * API's contract, so the tab names every area in the school's words.
 */
export { AUDIT_AREAS, isAuditArea, type AuditArea } from '../../contract/audit';
