import type { Request, Response, Next, Server } from 'restify';

/** The largest request body any route accepts (an incident report, a card, a Graph notification batch). */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Runs before routing, so before any token is checked or any body read. A compressed body is
 * refused outright: restify would inflate it and count only the compressed bytes against the
 * limit (a 254 KB gzip body became 255 MB). Teams, Bot Framework and Graph change notifications
 * all send plain JSON, so nothing the app serves needs a content encoding (RFC 9110 §15.5.16:
 * 415 for an unsupported content coding; RFC 7694: say which codings are accepted).
 */
export function bodyLimits(server: Server): void {
  server.pre((req: Request, res: Response, next: Next) => {
    const encoding = String(req.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase();
    if (encoding && encoding !== 'identity') {
      res.setHeader('accept-encoding', 'identity');
      res.setHeader('connection', 'close');
      res.send(415, { error: { code: 'unsupported-content-encoding', message: 'Send the request body uncompressed (no Content-Encoding).' } });
      return next(false);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      res.setHeader('connection', 'close');
      res.send(413, { error: { code: 'body-too-large', message: `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.` } });
      return next(false);
    }
    return next();
  });
}
