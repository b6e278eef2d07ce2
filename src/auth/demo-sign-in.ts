import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { AuthError, type Identity, type TokenValidator } from './identity';

const ISSUER = 'esafety-demo';
const AUDIENCE = 'esafety-tab';

/**
 * Demo mode only: the tab outside Teams has no SSO, so a person picks a demo persona and gets a
 * short-lived token signed with a secret that lives only in this process. Never enabled with a
 * real tenant (the server refuses to start demo sign-in unless the demo tenant is in use).
 */
export class DemoSignIn implements TokenValidator {
  private readonly secret = randomBytes(32);
  constructor(private readonly tenantId: string) {}

  async issue(person: { id: string; displayName: string; userPrincipalName: string }): Promise<string> {
    return new SignJWT({ oid: person.id, tid: this.tenantId, name: person.displayName, preferred_username: person.userPrincipalName })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('8h')
      .sign(this.secret);
  }

  async validate(token: string): Promise<Identity> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      return { oid: String(payload.oid), tid: String(payload.tid), name: String(payload.name), upn: String(payload.preferred_username), source: 'demo' };
    } catch {
      throw new AuthError(401, 'The demo sign-in has expired: pick a persona again');
    }
  }
}

/** Tries each validator in turn: Entra first, then demo sign-in when the demo is running. */
export class AnyOf implements TokenValidator {
  constructor(private readonly validators: TokenValidator[]) {}
  async validate(token: string): Promise<Identity> {
    let last: unknown = new AuthError(401, 'No sign-in method is configured');
    for (const v of this.validators) {
      try {
        return await v.validate(token);
      } catch (e) {
        // A 403 (right signature, wrong school) is final; a 401 may be another validator's token.
        if (e instanceof AuthError && e.status === 403) throw e;
        last = e;
      }
    }
    throw last;
  }
}
