import { generateKeyPair } from 'jose';
import { APP_CLIENT_ID, fakeEntra } from '../../test/support/entra-tokens';
import { AnyOf, DemoSignIn } from './demo-sign-in';
import { EntraTokenValidator } from './entra-token-validator';

const SCHOOL = 'b1f0c9a2-5d4e-4c3b-9a8f-0e1d2c3b4a50';
const OTHER = '99999999-8888-4777-a666-555555555555';

describe('only the school’s own people, signed in through Entra ID, reach the tab API', () => {
  let entra: Awaited<ReturnType<typeof fakeEntra>>;
  let validator: EntraTokenValidator;
  beforeAll(async () => {
    entra = await fakeEntra();
    validator = new EntraTokenValidator({ tenantId: SCHOOL, audiences: [APP_CLIENT_ID, `api://localhost/${APP_CLIENT_ID}`], keys: entra.keys });
  });

  it('accepts a token for this app from the school tenant (v2 and v1 issuers)', async () => {
    await expect(validator.validate(await entra.token({ tid: SCHOOL, oid: 'u1' }))).resolves.toMatchObject({ oid: 'u1', tid: SCHOOL, source: 'entra' });
    await expect(validator.validate(await entra.token({ tid: SCHOOL, oid: 'u1', iss: `https://sts.windows.net/${SCHOOL}/` }))).resolves.toMatchObject({
      oid: 'u1',
    });
  });

  it('refuses a token from another organisation with 403', async () => {
    await expect(validator.validate(await entra.token({ tid: OTHER, oid: 'u1' }))).rejects.toMatchObject({ status: 403 });
  });

  it('refuses a token meant for another application with 401', async () => {
    await expect(validator.validate(await entra.token({ tid: SCHOOL, oid: 'u1', aud: 'https://graph.microsoft.com' }))).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/another application/),
    });
  });

  it('refuses a token whose issuer is not the school tenant', async () => {
    await expect(
      validator.validate(await entra.token({ tid: SCHOOL, oid: 'u1', iss: `https://login.microsoftonline.com/${OTHER}/v2.0` })),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a token signed by anyone but Entra', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expect(validator.validate(await entra.token({ tid: SCHOOL, oid: 'u1', key: privateKey }))).rejects.toMatchObject({ status: 401 });
  });

  it('refuses an expired token', async () => {
    await expect(validator.validate(await entra.token({ tid: SCHOOL, oid: 'u1', expiresIn: '-10m' }))).rejects.toMatchObject({
      status: 401,
      message: expect.stringMatching(/expired/),
    });
  });

  it('accepts a demo sign-in only where demo sign-in is switched on', async () => {
    const demo = new DemoSignIn(SCHOOL);
    const token = await demo.issue({ id: 'u9', displayName: 'Amy', userPrincipalName: 'amy@demo-academy.org.uk' });
    await expect(new AnyOf([demo, validator]).validate(token)).resolves.toMatchObject({ oid: 'u9', source: 'demo' });
    await expect(new AnyOf([validator]).validate(token)).rejects.toMatchObject({ status: 401 });
    await expect(new DemoSignIn(SCHOOL).validate(token)).rejects.toMatchObject({ status: 401 });
  });
});
