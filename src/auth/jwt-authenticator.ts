/**
 * CDS Hooks 2.0 client authentication: `Authorization: Bearer <JWT>` signed by a trusted issuer (ES384 or RS384
 * unless configured otherwise; `none` and HMAC never), `aud` the exact URL called, `exp`/`iat` within a small
 * clock skew, `jti` used once. Any failure is a 401 with no detail for the caller and the precise reason in the log.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { errors } from '../errors.js';
import type { ClientAuthenticator, ClientIdentity } from './client-auth.js';
import type { TrustedIssuer } from './trusted-issuers.js';

export interface JwtAuthenticatorOptions {
  readonly issuers: readonly TrustedIssuer[];
  /** The service's public base URL: `aud` must be this plus the path called. */
  readonly publicBaseUrl: string;
  readonly now: () => Date;
  readonly redis?: Redis;
  readonly redisPrefix: string;
  readonly log: (reason: string, detail: Record<string, unknown>) => void;
}

/** Seconds of clock difference tolerated between the EHR and this service. */
const CLOCK_SKEW_S = 60;
/** A jti longer than this is refused (it becomes a Redis key). */
const MAX_JTI_LENGTH = 256;
/** A token older than this (by iat) is refused even if its exp is later. */
const MAX_TOKEN_AGE = '1h';
/**
 * While Redis (the replay store shared by replicas) is unreachable, a token must be at most this old: another
 * replica cannot know the jti was used, so this bounds how long a stolen token could be replayed there.
 */
export const OUTAGE_MAX_TOKEN_AGE_S = 30;

class Rejected extends Error {}

export class JwtClientAuthenticator implements ClientAuthenticator {
  readonly description: string;
  private readonly byIss: Map<string, { issuer: TrustedIssuer; keys: JWTVerifyGetKey[] }>;
  private readonly remote = new Map<string, JWTVerifyGetKey>();
  /** jtis this replica accepted (until their expiry, epoch seconds): every one while Redis was unreachable. */
  private readonly seenJti = new Map<string, number>();
  /** The second of the last sweep of expired jtis: one sweep a second, not a scan of every jti on every call. */
  private sweptAtS = 0;
  /** jtis accepted while Redis was unreachable and not yet written to it. */
  private readonly pending = new Map<string, { readonly until: number; readonly iss: string }>();
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: JwtAuthenticatorOptions) {
    // Back from an outage: every replica writes what it accepted meanwhile, so a replay anywhere is refused.
    options.redis?.on('ready', () => void this.flushPending());
    this.byIss = new Map(
      options.issuers.map((issuer) => [
        issuer.iss,
        {
          issuer,
          keys: [
            ...(issuer.jwks ? [createLocalJWKSet(issuer.jwks as never)] : []),
            ...(issuer.jwks_url ? [this.remoteSet(issuer.jwks_url)] : []),
          ],
        },
      ]),
    );
    this.description = `CDS clients authenticated by JWT; trusted issuers: ${options.issuers.map((i) => i.iss).join(', ')}`;
  }

  async authenticate(request: FastifyRequest): Promise<ClientIdentity> {
    const path = request.url.split('?')[0]!;
    try {
      const header = request.headers.authorization;
      const token = header && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
      if (!token) throw new Rejected('no bearer token');
      return await this.verify(token, `${this.options.publicBaseUrl}${path}`);
    } catch (err) {
      this.options.log('CDS client token rejected', {
        reason: err instanceof Rejected ? err.message : `${(err as Error).name}: ${(err as Error).message}`,
        route: request.routeOptions.url,
      });
      throw errors.unauthorized();
    }
  }

  /** Verifies a token for an audience; resolves the client or throws with the reason. */
  async verify(token: string, audience: string): Promise<ClientIdentity> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new Rejected('not a JWT');
    }
    const iss = typeof claims.iss === 'string' ? claims.iss : undefined;
    const trusted = iss ? this.byIss.get(iss) : undefined;
    if (!iss || !trusted) throw new Rejected(`issuer ${JSON.stringify(iss ?? null).slice(0, 200)} is not trusted`);
    const alg = typeof header.alg === 'string' ? header.alg : '';
    if (!(trusted.issuer.algs as string[]).includes(alg))
      throw new Rejected(`alg ${alg.slice(0, 20)} is not accepted for ${iss}`);
    if (typeof header.kid !== 'string' || header.kid.length === 0) throw new Rejected('no kid in the header');
    // CDS Hooks 2.0: the header's typ is JWT. Another typ (an ID token, a logout token, a DPoP proof signed by the
    // same issuer's key) is a different kind of token and must not pass as a client assertion.
    if (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT')
      throw new Rejected(`typ ${JSON.stringify(header.typ ?? null).slice(0, 40)} is not JWT`);
    // The replay check keys on jti: a number, an object or an empty string would make that key meaningless.
    if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > MAX_JTI_LENGTH)
      throw new Rejected(`jti must be a non-empty string of at most ${MAX_JTI_LENGTH} characters`);
    // A jku is followed only when allow-listed for the issuer; otherwise the configured keys decide.
    const keys = [
      ...(typeof header.jku === 'string' && trusted.issuer.jku.includes(header.jku)
        ? [this.remoteSet(header.jku)]
        : []),
      ...trusted.keys,
    ];
    if (keys.length === 0) throw new Rejected(`no keys configured for ${iss}`);
    let verified: Awaited<ReturnType<typeof jwtVerify>> | undefined;
    let lastError: unknown;
    for (const keySet of keys) {
      try {
        verified = await jwtVerify(token, keySet, {
          issuer: iss,
          audience,
          algorithms: trusted.issuer.algs,
          clockTolerance: CLOCK_SKEW_S,
          maxTokenAge: MAX_TOKEN_AGE,
          currentDate: this.options.now(),
          requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
        });
        break;
      } catch (err) {
        lastError = err;
      }
    }
    if (!verified) throw lastError instanceof Error ? lastError : new Rejected('signature not verified');
    const jti = String(verified.payload.jti);
    await this.useOnce(iss, jti, Number(verified.payload.exp), Number(verified.payload.iat));
    const tenant = typeof verified.payload.tenant === 'string' ? verified.payload.tenant : undefined;
    return { issuer: iss, ...(tenant ? { tenant } : {}), fhirServers: trusted.issuer.fhir_servers };
  }

  private remoteSet(url: string): JWTVerifyGetKey {
    let set = this.remote.get(url);
    if (!set) {
      // jose caches the key set and refetches it when a token names a kid it does not have.
      set = createRemoteJWKSet(new URL(url), {
        timeoutDuration: 2000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      });
      this.remote.set(url, set);
    }
    return set;
  }

  /**
   * A jti may be used once until its token expires: Redis SET NX when configured (shared by replicas), else this
   * replica's memory. While Redis is unreachable the jti is kept here and written to Redis when it is back (any
   * replay after that is refused on every replica), and only tokens issued in the last OUTAGE_MAX_TOKEN_AGE_S
   * seconds are accepted. What remains is a replay on another replica during the outage, within that age.
   */
  private async useOnce(iss: string, jti: string, exp: number, iat: number): Promise<void> {
    const nowS = Math.floor(this.options.now().getTime() / 1000);
    const ttl = Math.max(1, exp - nowS + CLOCK_SKEW_S);
    const key = `${this.options.redisPrefix}jti:${iss}:${jti}`;
    if (nowS !== this.sweptAtS) {
      this.sweptAtS = nowS;
      for (const [k, until] of this.seenJti) if (until < nowS) this.seenJti.delete(k);
    }
    const seenUntil = this.seenJti.get(key);
    if (seenUntil !== undefined && seenUntil >= nowS) throw new Rejected(`jti ${jti.slice(0, 100)} was already used`);
    const redis = this.options.redis;
    if (redis && redis.status === 'ready') {
      try {
        await this.flushPending();
        const set = await redis.set(key, '1', 'EX', ttl, 'NX');
        if (set !== 'OK') throw new Rejected(`jti ${jti.slice(0, 100)} was already used`);
        return;
      } catch (err) {
        if (err instanceof Rejected) throw err;
        // Redis failing: this replica's memory, under the outage rules below, rather than refuse every caller.
      }
    }
    if (redis) {
      const age = nowS - iat;
      if (age > OUTAGE_MAX_TOKEN_AGE_S)
        throw new Rejected(
          `token issued ${age} s ago; while Redis is unreachable at most ${OUTAGE_MAX_TOKEN_AGE_S} s is accepted`,
        );
      this.pending.set(key, { until: nowS + ttl, iss });
    }
    this.seenJti.set(key, nowS + ttl);
  }

  /** Writes the jtis accepted during an outage to Redis (once at a time); what cannot be written stays pending. */
  private async flushPending(): Promise<void> {
    const redis = this.options.redis;
    if (!redis || this.pending.size === 0) return;
    this.flushing ??= (async () => {
      try {
        for (const [key, { until, iss }] of [...this.pending]) {
          const ttl = until - Math.floor(this.options.now().getTime() / 1000);
          if (ttl > 0) {
            const set = await redis.set(key, '1', 'EX', ttl, 'NX');
            // Another replica wrote it first: the token was presented to both during the outage.
            if (set !== 'OK')
              this.options.log('a token accepted during the Redis outage had also been accepted by another replica', {
                issuer: iss,
              });
          }
          this.pending.delete(key);
        }
      } catch {
        // Redis went away again: the rest stay pending until it is back.
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
  }
}
