import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ExchangeAccessError, ExchangeAdmin } from './exchange-admin';

const ENDPOINT = 'https://outlook.office365.com/adminapi/beta/t1/InvokeCommand';
let calls: Array<{ cmdlet: string; auth: string | null }> = [];
let throttleNext = 0;
const server = setupServer(
  http.post(ENDPOINT, async ({ request }) => {
    const body = (await request.json()) as { CmdletInput: { CmdletName: string } };
    calls.push({ cmdlet: body.CmdletInput.CmdletName, auth: request.headers.get('authorization') });
    if (throttleNext-- > 0) return new HttpResponse(null, { status: 429, headers: { 'Retry-After': '2' } });
    if (body.CmdletInput.CmdletName === 'Get-Secret') return new HttpResponse(null, { status: 403 });
    const page = new URL(request.url).searchParams.get('page');
    return HttpResponse.json(page ? { value: [{ n: 2 }] } : { value: [{ n: 1 }], '@odata.nextLink': `${ENDPOINT}?page=2` });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  calls = [];
  throttleNext = 0;
});

describe('Exchange Online admin API (mailbox forwarding is not in Graph)', () => {
  const waits: number[] = [];
  const exo = new ExchangeAdmin({ tenantId: 't1', tokens: { getAccessToken: async () => 'exo-token' }, sleep: async (ms) => void waits.push(ms) });

  it('runs a cmdlet with the Exchange token and follows every page', async () => {
    expect(await exo.invoke('Get-Mailbox', { ResultSize: 'Unlimited' })).toEqual([{ n: 1 }, { n: 2 }]);
    expect(calls).toEqual([
      { cmdlet: 'Get-Mailbox', auth: 'Bearer exo-token' },
      { cmdlet: 'Get-Mailbox', auth: 'Bearer exo-token' },
    ]);
  });

  it('waits out a 429 and carries on', async () => {
    throttleNext = 1;
    expect(await exo.invoke('Get-RemoteDomain')).toHaveLength(2);
    expect(waits).toContain(2000);
  });

  it('says plainly when the app lacks Exchange.ManageAsApp', async () => {
    await expect(exo.invoke('Get-Secret')).rejects.toBeInstanceOf(ExchangeAccessError);
  });
});
