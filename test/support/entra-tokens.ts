import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTVerifyGetKey } from 'jose';

export const APP_CLIENT_ID = '11111111-2222-4333-a444-555555555555';

/** A stand-in for Entra ID: a signing key, its JWKS, and a token factory with Entra's claims. */
export async function fakeEntra() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const keys: JWTVerifyGetKey = createLocalJWKSet({ keys: [jwk] });
  const jwks = { keys: [jwk] };
  async function token(claims: { tid: string; oid: string; aud?: string; iss?: string; name?: string; upn?: string; expiresIn?: string; key?: CryptoKey }) {
    return new SignJWT({ tid: claims.tid, oid: claims.oid, name: claims.name ?? 'Test Person', preferred_username: claims.upn ?? 'test@demo-academy.org.uk' })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(claims.iss ?? `https://login.microsoftonline.com/${claims.tid}/v2.0`)
      .setAudience(claims.aud ?? APP_CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime(claims.expiresIn ?? '1h')
      .sign(claims.key ?? privateKey);
  }
  return { keys, jwks, token };
}
