import { tokenSourceFor, type GraphAuthConfig, type TokenSource } from '../graph/graph-auth';

export const EXCHANGE_ADMIN_URL = 'https://outlook.office365.com/adminapi/beta';

/** The app may not run Exchange cmdlets: it needs Exchange.ManageAsApp and an Exchange admin role. */
export class ExchangeAccessError extends Error {
  constructor(readonly status: number) {
    super(`Exchange Online refused the request (${status}): the app needs Exchange.ManageAsApp and an Exchange administrator role`);
  }
}

/** Exchange has no object by that identity (404: Get-Recipient of a recipient since deleted). */
export class ExchangeNotFoundError extends Error {}

/**
 * Read-only Exchange Online cmdlets over the admin REST endpoint (the one the ExchangeOnlineManagement
 * v3 module uses): mailbox SMTP forwarding and the tenant's auto-forward controls are not in Graph.
 */
export class ExchangeAdmin {
  constructor(
    private readonly options: {
      tenantId: string;
      tokens: TokenSource;
      baseUrl?: string;
      sleep?: (ms: number) => Promise<void>;
      maxRetries?: number;
    },
  ) {}

  async invoke<T>(cmdlet: string, parameters: Record<string, unknown> = {}): Promise<T[]> {
    const base = (this.options.baseUrl ?? EXCHANGE_ADMIN_URL).replace(/\/+$/, '');
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    const out: T[] = [];
    let url: string | undefined = `${base}/${this.options.tenantId}/InvokeCommand`;
    while (url) {
      const page: { value?: T[]; '@odata.nextLink'?: string } = await this.post(url, body);
      out.push(...(page.value ?? []));
      url = page['@odata.nextLink'];
    }
    return out;
  }

  private async post(url: string, body: string): Promise<{ value?: never[]; '@odata.nextLink'?: string }> {
    const sleep = this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.options.tokens.getAccessToken()}`, 'content-type': 'application/json' },
        body,
      });
      if (res.ok) return (await res.json()) as { value?: never[] };
      if (res.status === 401 || res.status === 403) throw new ExchangeAccessError(res.status);
      if (res.status === 404) throw new ExchangeNotFoundError(`Exchange Online found no such object (${url.split('/').pop()})`);
      if ((res.status === 429 || res.status === 503) && attempt < (this.options.maxRetries ?? 5)) {
        await sleep(Math.max(1, Number(res.headers.get('retry-after')) || 1) * 1000);
        continue;
      }
      throw new Error(`Exchange Online answered ${res.status} to ${url.split('/').pop()}`);
    }
  }
}

/**
 * The Exchange admin client for the same app as Graph: client credentials ask Entra for an Exchange
 * token (scope https://outlook.office365.com/.default); a pasted Graph token cannot be reused, so
 * that mode needs EXCHANGE_TOKEN; the demo tenant serves the endpoint itself.
 */
export function exchangeAdminFor(auth: GraphAuthConfig, tenantId: string, env: NodeJS.ProcessEnv, demoBaseUrl?: string): ExchangeAdmin | undefined {
  const baseUrl = demoBaseUrl ?? env.EXCHANGE_ADMIN_URL ?? EXCHANGE_ADMIN_URL;
  if (auth.mode === 'demo') return demoBaseUrl ? new ExchangeAdmin({ tenantId, baseUrl, tokens: tokenSourceFor(auth, baseUrl) }) : undefined;
  if (auth.mode === 'client-credentials') return new ExchangeAdmin({ tenantId, baseUrl, tokens: tokenSourceFor(auth, baseUrl) });
  return env.EXCHANGE_TOKEN ? new ExchangeAdmin({ tenantId, baseUrl, tokens: { getAccessToken: async () => env.EXCHANGE_TOKEN! } }) : undefined;
}
