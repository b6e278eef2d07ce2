import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError, type Identity, type TokenValidator } from './identity';

export interface EntraValidatorOptions {
  /** The school's tenant: tokens from any other tenant are refused. */
  tenantId: string;
  /** The tab's app registration: its client id and Application ID URI (api://.../{clientId}). */
  audiences: string[];
  /** Signing keys; by default Entra's published JWKS for the tenant. */
  keys?: JWTVerifyGetKey;
  authorityHost?: string;
}

/**
 * Checks an Entra ID access token from Teams SSO: signature against Entra's published keys,
 * audience = this app, tenant = this school, issuer = that tenant's v1 or v2 issuer.
 */
export class EntraTokenValidator implements TokenValidator {
  private readonly keys: JWTVerifyGetKey;
  private readonly issuers: Set<string>;

  constructor(private readonly options: EntraValidatorOptions) {
    const host = options.authorityHost ?? 'https://login.microsoftonline.com';
    this.keys = options.keys ?? createRemoteJWKSet(new URL(`${host}/${options.tenantId}/discovery/v2.0/keys`));
    this.issuers = new Set([`${host}/${options.tenantId}/v2.0`, `https://sts.windows.net/${options.tenantId}/`]);
  }

  async validate(token: string): Promise<Identity> {
    let payload: JWTPayload & Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, { audience: this.options.audiences, algorithms: ['RS256'], clockTolerance: 60 }));
    } catch (e) {
      if (e instanceof errors.JWTClaimValidationFailed && e.claim === 'aud') throw new AuthError(401, 'The token is for another application');
      if (e instanceof errors.JWTExpired) throw new AuthError(401, 'The token has expired: sign in again');
      throw new AuthError(401, 'The token could not be verified');
    }
    if (payload.tid !== this.options.tenantId) throw new AuthError(403, "The token is from another organisation, not this school's tenant");
    if (!payload.iss || !this.issuers.has(payload.iss)) throw new AuthError(401, 'The token was not issued by this school’s tenant');
    if (typeof payload.oid !== 'string') throw new AuthError(401, 'The token names no user');
    return {
      oid: payload.oid,
      tid: payload.tid as string,
      name: String(payload.name ?? ''),
      upn: String(payload.preferred_username ?? payload.upn ?? ''),
      source: 'entra',
    };
  }
}
