/**
 * Protection against more work than the service can screen in time: load shedding (the time a call queued before
 * its screening could begin, and service calls in flight) and an optional per-client rate limit (a token bucket per
 * issuer, off by default: a fairness tool between EHRs, sized per EHR).
 *
 * Never silent: a service call that is not screened still gets **200 with one visible warning card**
 * ("Medication safety screening not performed"), because many EHRs hide errors and a 429 or 503 would show the
 * prescriber nothing. Feedback is machine-to-machine and retried, so feedback over the limit gets 429 with
 * Retry-After. Health, metrics, discovery and CORS preflight are never limited or shed.
 *
 * The rate limit and the in-flight cap run in one onRequest hook after client authentication (so the issuer is
 * known and a caller without a valid token cannot use up an EHR's budget) and before the body is read. The queueing
 * time is judged when the call's handler is about to run (a preHandler): the call arrived, was authenticated and its
 * body read, and everything it waited for on the way counts. A shed call costs a uuid and one write of a
 * precomputed JSON text.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { ClientIdentity } from '../auth/client-auth.js';
import type { Config } from '../config.js';
import { errorBody, errors } from '../errors.js';
import { answeredServices } from '../hooks/services.js';
import type { Metrics } from '../metrics/metrics.js';
import { screeningNotPerformedCard } from '../cards/coverage-cards.js';

// ---------------------------------------------------------------------------------------------------------------
// Token bucket

/** Burst (bucket capacity) for a per-minute limit: a tenth of it, at least 10. */
export function rateLimitBurst(perMinute: number): number {
  return Math.max(10, Math.floor(perMinute / 10));
}

/** A token bucket on an injected monotonic clock (milliseconds). Starts full. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    /** Tokens added per millisecond. */
    readonly refillPerMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token: 0 when allowed, otherwise the milliseconds until a token will be available. */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.refillPerMs);
  }

  /** Milliseconds until a token is available (0: now), taking none. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.refillPerMs);
  }

  /** True when the bucket has refilled completely (it can be forgotten without changing any answer). */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    // A clock that steps back adds nothing (and never removes tokens).
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerMs);
  }
}

/** One token bucket per key (the client issuer), created on first use. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  readonly burst: number;
  private readonly refillPerMs: number;

  constructor(
    readonly perMinute: number,
    private readonly clock: () => number,
    /** Above this many keys, buckets that have refilled completely are forgotten. */
    private readonly maxKeys = 10_000,
  ) {
    if (!(perMinute > 0)) throw new Error('RateLimiter needs a positive limit per minute');
    this.burst = rateLimitBurst(perMinute);
    this.refillPerMs = perMinute / 60_000;
  }

  /** 0 when the call is allowed, otherwise the milliseconds until this key may call again. */
  take(key: string): number {
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      bucket = new TokenBucket(this.burst, this.refillPerMs, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Milliseconds until this key may call again (0: now), using up nothing. */
  waitMs(key: string): number {
    return this.buckets.get(key)?.waitMs(this.clock()) ?? 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Precomputed answers

export type ShedReason = 'rate_limit' | 'overload';

/** The detail reasons of the two shed cards (exported for tests). */
export const SHED_REASONS: Readonly<Record<ShedReason, string>> = {
  rate_limit: 'the service is receiving more requests from this EHR than it is configured to screen',
  overload: 'the service is overloaded and answered at once rather than run past the EHR\u2019s time limit',
};

/**
 * `{"cards":[<card>]}` as JSON text split around the card's uuid, built once: a shed answer is the two halves
 * joined by a fresh uuid, with no serialisation per request.
 */
function precomputedAnswer(reason: string): { readonly before: string; readonly after: string } {
  const { uuid: _uuid, ...card } = screeningNotPerformedCard(reason);
  const rest = JSON.stringify(card);
  return { before: '{"cards":[{"uuid":"', after: `",${rest.slice(1)}]}` };
}

const ANSWERS: Readonly<Record<ShedReason, { readonly before: string; readonly after: string }>> = {
  rate_limit: precomputedAnswer(SHED_REASONS.rate_limit),
  overload: precomputedAnswer(SHED_REASONS.overload),
};

/** The body of a shed service call (a fresh card uuid each time). */
export function shedResponseText(reason: ShedReason): string {
  const answer = ANSWERS[reason];
  return answer.before + randomUUID() + answer.after;
}

/** Built once: an over-limit feedback call costs one write of this text. */
const FEEDBACK_RATE_LIMITED = errors.rateLimited(
  'this client sent more feedback calls than CDS_RATE_LIMIT_PER_MINUTE allows; retry after the Retry-After delay',
);
const FEEDBACK_RATE_LIMITED_BODY = JSON.stringify(errorBody(FEEDBACK_RATE_LIMITED));

const JSON_TYPE = 'application/json; charset=utf-8';
const SERVICE_ROUTE = '/cds-services/:id';
const FEEDBACK_ROUTE = '/cds-services/:id/feedback';
/** At most one shedding log line per reason in this interval, with the count since the last line. */
const LOG_INTERVAL_MS = 10_000;

// ---------------------------------------------------------------------------------------------------------------
// The plugin

export interface ProtectionDeps {
  /** Monotonic milliseconds for the token buckets and the queueing time; default `performance.now`. */
  readonly clock?: () => number;
}

export interface ProtectionOptions {
  readonly config: Pick<Config, 'rateLimitPerMinute' | 'shedQueueMs' | 'shedMaxInFlight' | 'enabledServices'>;
  readonly metrics: Metrics;
}

/** What the plugin exposes (to tests and diagnostics). */
export interface Protection {
  /** Service calls admitted and not yet answered. */
  inFlight(): number;
  /** The hook, run on CDS client routes right after client authentication (see route-access.ts). */
  readonly onRequest: onRequestHookHandler;
}

/**
 * Builds the protection hooks. The caller runs `onRequest` after client authentication on the client routes (the
 * rate limit keys on the issuer that authentication sets); the arrival stamp and the queueing check are hooks of the
 * whole app, added here, so they come before authentication and after the body is read.
 */
export function registerProtection(
  app: FastifyInstance,
  opts: ProtectionOptions,
  deps: ProtectionDeps = {},
): Protection {
  const { config, metrics } = opts;
  // Calls to any other service id (one not enabled here included) go on to their 404.
  const serviceIds: ReadonlySet<string> = new Set(answeredServices(config.enabledServices).keys());
  const clock = deps.clock ?? (() => performance.now());
  const serviceLimiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute, clock) : undefined;
  // Feedback has its own buckets: a client retrying feedback never uses up the budget of its screening calls.
  const feedbackLimiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute, clock) : undefined;
  const maxQueueMs = config.shedQueueMs;
  const maxInFlight = config.shedMaxInFlight;
  let inFlight = 0;
  /** When each service call arrived (read from the clock before anything else ran for it). */
  const arrivals = new WeakMap<FastifyRequest, number>();

  // Both series exist from the start, so a dashboard shows 0 rather than nothing.
  metrics.shed.inc({ reason: 'rate_limit' }, 0);
  metrics.shed.inc({ reason: 'overload' }, 0);
  const lastLog: Record<ShedReason, { at: number; count: number }> = {
    rate_limit: { at: -Infinity, count: 0 },
    overload: { at: -Infinity, count: 0 },
  };

  const noteShed = (
    req: FastifyRequest,
    reason: ShedReason,
    issuer: string,
    what: 'service' | 'feedback',
    waitedMs?: number,
  ) => {
    metrics.shed.inc({ reason });
    const entry = lastLog[reason];
    entry.count++;
    const now = clock();
    if (now - entry.at >= LOG_INTERVAL_MS) {
      req.log.warn(
        {
          reason,
          issuer,
          call: what,
          shedSinceLastLog: entry.count,
          inFlight,
          ...(waitedMs !== undefined ? { queuedMs: Math.round(waitedMs) } : {}),
        },
        'calls shed',
      );
      entry.at = now;
      entry.count = 0;
    }
  };

  const shedServiceCall = (
    req: FastifyRequest,
    reply: FastifyReply,
    reason: ShedReason,
    issuer: string,
    service: string,
    waitedMs?: number,
  ) => {
    noteShed(req, reason, issuer, 'service', waitedMs);
    metrics.cards.inc({ service, topic: 'none', indicator: 'warning' });
    return reply.code(200).header('content-type', JSON_TYPE).send(shedResponseText(reason));
  };

  /** The service call this request is (its service id), or undefined for anything else. */
  const serviceCall = (req: FastifyRequest): string | undefined => {
    if (req.method !== 'POST' || req.routeOptions.url !== SERVICE_ROUTE) return undefined;
    const id = (req.params as { id?: string }).id;
    return id !== undefined && serviceIds.has(id) ? id : undefined;
  };
  const issuerOf = (req: FastifyRequest) => (req as { client?: ClientIdentity }).client?.issuer ?? 'unauthenticated';

  if (maxQueueMs > 0) {
    // The first hook of every request (route hooks, authentication included, run after the app's own).
    app.addHook('onRequest', (req, _reply, done) => {
      if (serviceCall(req) !== undefined) arrivals.set(req, clock());
      done();
    });
    // Right before the handler: a call that already queued longer than the limit is answered at once. Screening it
    // would finish late, and while the queue is long every call screened makes the next one later still.
    app.addHook('preHandler', (req, reply, done) => {
      const service = serviceCall(req);
      const arrived = arrivals.get(req);
      if (service === undefined || arrived === undefined) return done();
      const waitedMs = clock() - arrived;
      if (waitedMs <= maxQueueMs) return done();
      shedServiceCall(req, reply, 'overload', issuerOf(req), service, waitedMs);
    });
  }

  const onRequest: onRequestHookHandler = (req, reply, done) => {
    if (req.method !== 'POST') return done();
    const route = req.routeOptions.url;
    if (route !== SERVICE_ROUTE && route !== FEEDBACK_ROUTE) return done();
    const id = (req.params as { id?: string }).id;
    if (id === undefined || !serviceIds.has(id)) return done();
    const issuer = issuerOf(req);

    if (route === FEEDBACK_ROUTE) {
      const waitMs = feedbackLimiter ? feedbackLimiter.take(issuer) : 0;
      if (waitMs === 0) return done();
      noteShed(req, 'rate_limit', issuer, 'feedback');
      reply
        .code(FEEDBACK_RATE_LIMITED.statusCode)
        .header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))))
        .header('content-type', JSON_TYPE)
        .send(FEEDBACK_RATE_LIMITED_BODY);
      return;
    }

    if (serviceLimiter && serviceLimiter.take(issuer) > 0) {
      shedServiceCall(req, reply, 'rate_limit', issuer, id);
      return;
    }
    if (maxInFlight > 0 && inFlight >= maxInFlight) {
      shedServiceCall(req, reply, 'overload', issuer, id);
      return;
    }
    inFlight++;
    metrics.inFlight.inc();
    // 'close' comes once per response, whether it finished or the connection went away first.
    reply.raw.once('close', () => {
      inFlight--;
      metrics.inFlight.dec();
    });
    done();
  };

  return { inFlight: () => inFlight, onRequest };
}
