import { z } from 'zod';

/**
 * Shapes every part of the tab API shares. The contract is the one place the server and the tab
 * agree on: the server validates requests and types its answers with these schemas; the tab
 * imports the inferred types (and may parse with the schemas). Only zod is imported here.
 */

/** An instant as the API sends it (ISO 8601). Loose on purpose: the database engines differ in precision. */
export const instant = z.string().min(1);
/** A calendar day, 2026-11-20. */
export const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Every refusal the API gives: a stable code and one line a person can read. */
export const apiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ApiErrorBody = z.infer<typeof apiError>;

/** Downloads come as text in JSON (the tab saves them as a file). */
export const csvDownload = z.object({ csv: z.string() });
export type CsvDownload = z.infer<typeof csvDownload>;

/** `?format=csv` asks for the download instead of the rows. */
export const formatQuery = z.object({ format: z.enum(['csv', 'json']).optional() });

/** A body that must be an empty object (or absent) when the route takes nothing. */
export const noBody = z.object({}).strict();

export const appRole = z.enum(['student', 'staff', 'teacher', 'governor', 'chair', 'safeguarding', 'dsl', 'headteacher', 'admin']);
export type AppRole = z.infer<typeof appRole>;
