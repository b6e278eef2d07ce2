import { policyHtml } from '../aup/policy-html';
import type { Request, Response, Server } from 'restify';
import type { Logger } from 'pino';
import { LinkNotUsable, type ParentCountersignatures, type ParentPage } from '../aup/parent-countersignatures';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function layout(school: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(school)}: parent counter-signature</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;line-height:1.5}pre{white-space:pre-wrap;font-family:inherit;background:#fafafa;padding:1rem;border-left:4px solid #5b5fc7}button{font-size:1rem;padding:.5rem 1rem}input{font-size:1rem;padding:.4rem}</style>
</head><body><header><strong>${escape(school)}</strong></header><main>${body}</main></body></html>`;
}

function pageFor(page: ParentPage, token: string): string {
  if (page.signedAt && page.childFirstName)
    return `<h1>Thank you</h1><p>You counter-signed ${escape(page.title)} (version ${page.version}) for ${escape(page.childFirstName)} on ${escape(page.signedAt.slice(0, 10))}. There is nothing more to do.</p>`;
  if (page.signedAt)
    return `<h1>Thank you</h1><p>${escape(page.title)} (version ${page.version}) was counter-signed with this link on ${escape(page.signedAt.slice(0, 10))}. The link has been used; there is nothing more to do.</p>`;
  const childFirstName = page.childFirstName ?? 'your child';
  return `<h1>${escape(page.title)}</h1><p>Version ${page.version}. Please read it with ${escape(childFirstName)}, then sign below.</p>
<article class="policy">${policyHtml(page.text)}</article>
<form method="post" action="/parent/${escape(token)}">
<p><label>Your full name <input name="name" required minlength="2" maxlength="200" autocomplete="name"></label></p>
<p><label><input type="checkbox" name="agree" value="yes" required> I have read this agreement with ${escape(childFirstName)} and support the school in keeping to it.</label></p>
<button type="submit">Counter-sign</button></form>`;
}

/**
 * The one page the app serves to people outside the school: a parent opens their emailed link,
 * reads the student AUP and counter-signs. No sign-in: the single-use link is the credential.
 */
export function parentPages(parents: ParentCountersignatures, school: string, logger: Logger) {
  const send = (res: Response, status: number, html: string) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    res.sendRaw(status, html);
  };
  const handle = (work: (req: Request) => Promise<string>) => async (req: Request, res: Response) => {
    try {
      send(res, 200, layout(school, await work(req)));
    } catch (e) {
      if (e instanceof LinkNotUsable) return send(res, 400, layout(school, `<h1>Sorry</h1><p>${escape(e.message)}</p>`));
      logger.error({ err: e }, 'parent page failed');
      send(res, 500, layout(school, '<h1>Sorry</h1><p>Something went wrong. Please try again later, or contact the school office.</p>'));
    }
  };
  return (server: Server) => {
    server.get(
      '/parent/:token',
      handle(async (req) => pageFor(await parents.open(String(req.params.token)), String(req.params.token))),
    );
    server.post(
      '/parent/:token',
      handle(async (req) => {
        const token = String(req.params.token);
        const form = (req.body ?? {}) as { name?: string; agree?: string };
        if (form.agree !== 'yes') throw new LinkNotUsable('Please tick the box to say you have read the agreement.');
        return pageFor((await parents.sign(token, form.name ?? '')).page, token);
      }),
    );
  };
}
