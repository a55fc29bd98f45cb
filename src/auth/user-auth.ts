/**
 * Authentication of people (informaticists, pharmacists, administrators) on the endpoints made for them:
 * OIDC access tokens from CDS_USER_ISSUER (audience CDS_USER_AUDIENCE, roles from a configurable claim), or API
 * keys for automation (`cds keys create`, kept only as hashes). A loopback caller without credentials is an
 * administrator only under the explicit development switch CDS_TRUST_LOOPBACK_USERS (refused by the configuration
 * once CDS clients are authenticated or the address is not loopback): a same-host TLS proxy or sidecar makes every
 * remote caller look local. Failures are a bare 401 (403 when the role is not enough); the log says why.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { FastifyRequest } from 'fastify';
import { HttpError, errors } from '../errors.js';
import type { Queryable } from '../infra/database.js';

export const ROLES = ['viewer', 'pharmacist', 'informaticist', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserIdentity {
  /** Who: the token's `sub`, or `api-key:<name>`, or `loopback-development`. */
  readonly subject: string;
  readonly roles: readonly Role[];
}

export interface UserAuthOptions {
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /** Static keys (JSON JWKS); otherwise the issuer's jwks_uri from its OpenID configuration. */
  readonly jwks: { keys: Record<string, unknown>[] } | undefined;
  /** Dot path of the roles claim, e.g. "roles" or "realm_access.roles". */
  readonly rolesClaim: string;
  /** Development only: a loopback caller without credentials holds every role. */
  readonly trustLoopback: boolean;
  readonly now: () => Date;
  readonly db: Queryable | undefined;
  readonly log: (reason: string, detail: Record<string, unknown>) => void;
}

const API_KEY_PREFIX = 'cdsk_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Creates an API key: returns the key once; only its hash is stored. */
export async function createApiKey(db: Queryable, name: string, role: Role): Promise<{ id: string; key: string }> {
  const key = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const id = randomUUID();
  await db.query('INSERT INTO cds_api_key (id, name, role, key_hash, created_at) VALUES ($1, $2, $3, $4, now())', [
    id,
    name,
    role,
    hashApiKey(key),
  ]);
  return { id, key };
}

export class UserAuthenticator {
  private keys: JWTVerifyGetKey | undefined;

  constructor(private readonly options: UserAuthOptions) {
    if (options.jwks) this.keys = createLocalJWKSet(options.jwks as never);
  }

  get description(): string {
    const who = this.options.issuer
      ? `people authenticated by tokens of ${this.options.issuer} or API keys`
      : 'people authenticated by API keys';
    return this.options.trustLoopback
      ? `${who}; CDS_TRUST_LOOPBACK_USERS: every loopback caller without credentials is an administrator (development only)`
      : who;
  }

  /** Authenticates the caller and admits only the given roles (sets request.user); runs before the body is read. */
  async require(request: FastifyRequest, roles: readonly Role[]): Promise<void> {
    const user = await this.authenticate(request);
    if (!user.roles.some((r) => roles.includes(r))) {
      this.options.log('role not sufficient', {
        subject: user.subject,
        route: request.routeOptions.url,
        needs: roles.join('|'),
      });
      throw errors.forbidden();
    }
    (request as { user?: UserIdentity }).user = user;
  }

  async authenticate(request: FastifyRequest): Promise<UserIdentity> {
    const header = request.headers.authorization;
    const token = header && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
    try {
      if (token?.startsWith(API_KEY_PREFIX)) return await this.apiKey(token);
      if (token && this.options.issuer) return await this.oidc(token);
      if (!token && this.options.trustLoopback && isLoopback(request.socket.remoteAddress)) {
        return { subject: 'loopback-development', roles: [...ROLES] };
      }
      throw new Error(token ? 'a token was given but no user issuer is configured' : 'no credentials');
    } catch (err) {
      if (err instanceof HttpError) throw err;
      this.options.log('user credentials rejected', {
        reason: (err as Error).message,
        route: request.routeOptions.url,
      });
      throw errors.unauthorized();
    }
  }

  private async apiKey(key: string): Promise<UserIdentity> {
    if (!this.options.db) throw new Error('API keys need the database');
    const rows = await this.options.db.query<{ name: string; role: Role }>(
      'SELECT name, role FROM cds_api_key WHERE key_hash = $1 AND revoked_at IS NULL',
      [hashApiKey(key)],
    );
    const found = rows.rows[0];
    if (!found) throw new Error('unknown or revoked API key');
    return { subject: `api-key:${found.name}`, roles: [found.role] };
  }

  private async oidc(token: string): Promise<UserIdentity> {
    const keys = await this.userKeys();
    const { payload } = await jwtVerify(token, keys, {
      issuer: this.options.issuer!,
      ...(this.options.audience ? { audience: this.options.audience } : {}),
      clockTolerance: 60,
      currentDate: this.options.now(),
      requiredClaims: ['sub', 'exp'],
    });
    const claim = this.options.rolesClaim
      .split('.')
      .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), payload);
    const roles = (Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : []).filter(
      (r): r is Role => (ROLES as readonly unknown[]).includes(r),
    );
    return { subject: String(payload.sub), roles };
  }

  /** The issuer's keys: configured, or found through its OpenID configuration (once). */
  private async userKeys(): Promise<JWTVerifyGetKey> {
    if (this.keys) return this.keys;
    const res = await fetch(`${this.options.issuer!.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) throw new Error(`OpenID configuration of ${this.options.issuer} answered HTTP ${res.status}`);
    const { jwks_uri: jwksUri } = (await res.json()) as { jwks_uri?: string };
    if (!jwksUri || !/^https:\/\//.test(jwksUri)) throw new Error('the OpenID configuration has no https jwks_uri');
    this.keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 3000 });
    return this.keys;
  }
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}
