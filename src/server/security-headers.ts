import type { Request, Response, Next, Server } from 'restify';

/**
 * The hosts allowed to frame the tab: Teams, Outlook and the Microsoft 365 app, old and new
 * domains (MicrosoftDocs/msteams-docs, msteams-platform/tabs/how-to/tab-requirements.md,
 * "Set Content Security Policy headers to allow Teams and any other host applications").
 */
export const FRAME_ANCESTORS = [
  "'self'",
  'https://*.cloud.microsoft',
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
  'https://outlook.live.com',
];

/**
 * The tab is a Vite build served from here and talks only to this origin. Fluent UI (Griffel)
 * writes its styles into <style> elements at run time, and the parent page carries its own
 * <style>, hence 'unsafe-inline' for styles only; scripts come from this origin alone.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  `frame-ancestors ${FRAME_ANCESTORS.join(' ')}`,
].join('; ');

/** Every answer (tab files, API, parent page) carries the same protective headers. */
export function securityHeaders(server: Server): void {
  server.pre((_req: Request, res: Response, next: Next) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    // Parent links carry their credential in the path: never leak a URL to another site.
    res.setHeader('referrer-policy', 'no-referrer');
    return next();
  });
}
