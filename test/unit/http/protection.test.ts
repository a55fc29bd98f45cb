/** The token bucket and per-issuer rate limiter on an injected clock, and the precomputed shed answers. */
import { describe, expect, it } from 'vitest';
import {
  RateLimiter,
  SHED_REASONS,
  TokenBucket,
  rateLimitBurst,
  shedResponseText,
} from '../../../src/http/protection.js';
import { responseViolations } from '../../support/cds-conformance.js';

describe('rateLimitBurst', () => {
  it('is a tenth of the per-minute limit, at least 10', () => {
    expect([1, 60, 99, 100, 101, 105, 250, 600, 6000].map(rateLimitBurst)).toEqual([
      10, 10, 10, 10, 10, 10, 25, 60, 600,
    ]);
  });
});

describe('TokenBucket', () => {
  it('starts full, empties one token per call, and says how long until the next token', () => {
    const b = new TokenBucket(3, 0.5, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([0, 0, 0]);
    expect(b.take(0)).toBe(2); // 0 tokens at 0.5 per ms
    expect(b.take(1)).toBe(1); // 0.5 tokens
    expect(b.take(2)).toBe(0); // 1 token, taken
    expect(b.take(2)).toBe(2);
  });

  it('never holds more than its capacity, however long it was idle', () => {
    const b = new TokenBucket(3, 0.5, 0);
    expect(b.take(1_000_000_000)).toBe(0);
    expect([b.take(1_000_000_000), b.take(1_000_000_000), b.take(1_000_000_000)]).toEqual([0, 0, 2]);
  });

  it('adds nothing and removes nothing when the clock steps back', () => {
    const b = new TokenBucket(2, 0.5, 100);
    expect([b.take(100), b.take(100), b.take(100)]).toEqual([0, 0, 2]);
    expect(b.take(50)).toBe(2);
    expect(b.take(101)).toBe(1);
    expect(b.take(102)).toBe(0);
  });

  it('reports full once refilled', () => {
    const b = new TokenBucket(2, 0.5, 0);
    b.take(0);
    expect(b.isFull(1)).toBe(false);
    expect(b.isFull(2)).toBe(true);
  });
});

describe('RateLimiter', () => {
  it('60 per minute: a burst of 10, then one call a second', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    expect(limiter.burst).toBe(10);
    expect(Array.from({ length: 11 }, () => limiter.take('ehr-a'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000]);
    now = 250;
    expect(limiter.take('ehr-a')).toBe(750);
    now = 1000;
    expect([limiter.take('ehr-a'), limiter.take('ehr-a')]).toEqual([0, 1000]);
    now = 1500;
    expect(limiter.take('ehr-a')).toBe(500);
  });

  it('keeps one bucket per issuer', () => {
    const limiter = new RateLimiter(60, () => 0);
    for (let i = 0; i < 10; i++) limiter.take('ehr-a');
    expect(limiter.take('ehr-a')).toBe(1000);
    expect(Array.from({ length: 10 }, () => limiter.take('ehr-b'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(limiter.take('ehr-b')).toBe(1000);
    expect(limiter.size).toBe(2);
  });

  it('600 per minute: a burst of 60, then 100 ms per call', () => {
    const limiter = new RateLimiter(600, () => 0);
    expect(limiter.burst).toBe(60);
    for (let i = 0; i < 60; i++) expect(limiter.take('ehr')).toBe(0);
    expect(limiter.take('ehr')).toBe(100);
  });

  it('forgets refilled buckets when it holds too many issuers, never one still limited', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now, 2);
    limiter.take('a');
    for (let i = 0; i < 10; i++) limiter.take('b');
    limiter.take('c'); // 'a' and 'b' are not full: nothing forgotten
    expect(limiter.size).toBe(3);
    now = 1000; // 'a' and 'c' have refilled; 'b' holds 1 token of 10
    limiter.take('d');
    expect(limiter.size).toBe(2);
    expect(limiter.take('b')).toBe(0);
    expect(limiter.take('b')).toBe(1000);
  });

  it('refuses a limit of 0 (0 means no limiter at all)', () => {
    expect(() => new RateLimiter(0, () => 0)).toThrow('RateLimiter needs a positive limit per minute');
  });
});

describe('shed answers', () => {
  it.each(['rate_limit', 'overload'] as const)(
    '%s: one conformant warning card with a fresh uuid each time',
    (reason) => {
      const first = JSON.parse(shedResponseText(reason));
      const second = JSON.parse(shedResponseText(reason));
      expect(responseViolations(first, { ownOutput: true })).toEqual([]);
      expect(first).toEqual({
        cards: [
          {
            uuid: first.cards[0].uuid,
            summary: 'Medication safety screening not performed',
            detail: `Interactions were **not** checked for this order: ${SHED_REASONS[reason]}. Review the medications by hand or ask a pharmacist.`,
            indicator: 'warning',
            source: { label: 'Medication safety screening' },
          },
        ],
      });
      expect(second.cards[0].uuid).not.toBe(first.cards[0].uuid);
      expect({ ...second.cards[0], uuid: 'x' }).toEqual({ ...first.cards[0], uuid: 'x' });
    },
  );
});
