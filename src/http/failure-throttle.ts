/**
 * Failed authentication attempts (CDS client tokens, user tokens, API keys) are limited per source address: each
 * failure takes a token from the source's bucket, and a source whose bucket is empty is answered 429 with
 * Retry-After without any verification work (no signature check, no JWKS refetch, no API-key query). Successful
 * calls take nothing, so an EHR sharing an address with a misbehaving caller is throttled only while failures
 * keep coming from that address.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, errors } from '../errors.js';
import { RateLimiter } from './protection.js';

export class FailureThrottle {
  private readonly limiter: RateLimiter | undefined;

  constructor(perMinute: number, clock: () => number) {
    this.limiter = perMinute > 0 ? new RateLimiter(perMinute, clock) : undefined;
  }

  /** Runs `authenticate`; a 401 counts against the source. A source over its limit gets 429 without running it. */
  async guard<T>(request: FastifyRequest, reply: FastifyReply, authenticate: () => Promise<T>): Promise<T> {
    const limiter = this.limiter;
    if (!limiter) return authenticate();
    const source = request.ip;
    const waitMs = limiter.waitMs(source);
    if (waitMs > 0) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
      throw errors.rateLimited(
        'too many failed authentication attempts from this address; retry after the Retry-After delay',
      );
    }
    try {
      return await authenticate();
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 401) limiter.take(source);
      throw err;
    }
  }
}
