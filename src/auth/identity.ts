/** Who is calling the tab API, once their token has been checked. */
export interface Identity {
  /** Entra object id. */
  oid: string;
  tid: string;
  name: string;
  upn: string;
  source: 'entra' | 'demo';
}

/** 401: we do not know who you are. 403: we know, and the answer is no. */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface TokenValidator {
  validate(token: string): Promise<Identity>;
}

export function bearerToken(header: string | undefined): string {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) throw new AuthError(401, 'Sign in: the request has no bearer token');
  return m[1]!;
}
