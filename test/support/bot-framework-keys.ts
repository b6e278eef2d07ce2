import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

export const BOT_APP_ID = '00000000-b07b-4e5c-9a4e-0000000000aa';
export const SERVICE_URL = 'https://smba.trafficmanager.net/uk/';

export interface BotFrameworkKeys {
  /** Where the bot is told Bot Framework publishes its OpenID metadata. */
  metadataUrl: string;
  /** A token as Bot Framework signs it for this bot; `key` signs with another key (a forgery). */
  token(claims?: { serviceurl?: string; key?: CryptoKey; expiresIn?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * A stand-in for login.botframework.com: OpenID metadata and a JWKS whose key is endorsed for
 * msteams, so the bot checks tokens (signature, issuer, audience, service URL) as in production.
 */
export async function botFrameworkKeys(): Promise<BotFrameworkKeys> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'RS256', endorsements: ['msteams'] };
  let base = '';
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url!.endsWith('/keys') ? { keys: [jwk] } : { issuer: 'https://api.botframework.com', jwks_uri: `${base}/v1/.well-known/keys` }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    token: (claims = {}) =>
      new SignJWT({ serviceurl: claims.serviceurl ?? SERVICE_URL })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://api.botframework.com')
        .setAudience(BOT_APP_ID)
        .setIssuedAt()
        .setExpirationTime(claims.expiresIn ?? '1h')
        .sign(claims.key ?? privateKey),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
