/**
 * The medication pairs worth examining, found through what they share (an interaction rule, an ingredient, a
 * duplicate class) instead of by trying every pair: 5,000 orders against 5,000 active medications would be tens of
 * millions of pairs, built and walked on the event loop. The work is synchronous, so it watches the deadline itself.
 */
import type { Deadline } from '../infra/deadline.js';

/** Steps between two looks at the deadline. */
const DEADLINE_STRIDE = 4096;

export interface CandidatePairs {
  /**
   * [subject position, other position] in the order every pair was once tried: each subject against the later
   * subjects, then the others. Empty when the deadline passed first (nothing is screened then).
   */
  readonly pairs: PairList;
  /** How many distinct pairs were collected, all of them or those found before the deadline passed. */
  readonly collected: number;
  /** True when the deadline passed before every pair was collected. */
  readonly outOfTime: boolean;
}

/**
 * Positions below `subjectCount` are subjects, the rest others. `keysOf(p)` says what position p could share with
 * another; two positions sharing a key are a candidate. Subjects are paired with each other only when asked.
 */
export function candidatePairs(
  count: number,
  subjectCount: number,
  subjectsAgainstEachOther: boolean,
  keysOf: (p: number) => Iterable<unknown>,
  deadline?: Deadline,
): CandidatePairs {
  const byKey = new Map<unknown, number[]>();
  const subjectKeys: (readonly number[][])[] = [];
  for (let p = 0; p < count; p++) {
    const lists: number[][] = [];
    for (const key of new Set(keysOf(p))) {
      let list = byKey.get(key);
      if (list) list.push(p);
      else byKey.set(key, (list = [p]));
      if (p < subjectCount) lists.push(list);
    }
    if (p < subjectCount) subjectKeys.push(lists);
  }
  // Pairs are gathered subject by subject, each subject's partners sorted on their own: the order is the one of a
  // sort of every pair (by subject, then partner), but no step is a sort of them all, and the deadline is watched
  // between steps. `seen[b] === a` marks b as already paired with subject a (two shared keys, one pair).
  const codes: number[] = [];
  const seen = new Int32Array(count).fill(-1);
  let steps = 0;
  let outOfTime = false;
  let collected = 0;
  collect: for (let a = 0; a < subjectCount; a++) {
    const from = subjectsAgainstEachOther ? a + 1 : subjectCount;
    const partners: number[] = [];
    for (const positions of subjectKeys[a]!) {
      // Positions are ascending: start at the first one this subject pairs with, instead of stepping over the
      // thousands of subjects it does not pair with.
      for (let y = firstAtLeast(positions, from); y < positions.length; y++) {
        const b = positions[y]!;
        if (seen[b] !== a) {
          seen[b] = a;
          partners.push(b);
        }
        if (++steps % DEADLINE_STRIDE === 0 && deadline?.expired()) {
          outOfTime = true;
          collected = codes.length + partners.length;
          break collect;
        }
      }
    }
    partners.sort((x, y) => x - y);
    for (const b of partners) codes.push(a * count + b);
  }
  // Out of time, nothing will be screened: the pairs are counted.
  if (outOfTime) return { pairs: new PairList(new Float64Array(0), count), collected, outOfTime };
  const pairs = new PairList(Float64Array.from(codes), count);
  return { pairs, collected: pairs.length, outOfTime };
}

/** The index of the first of ascending `positions` that is at least `from` (positions.length when none is). */
function firstAtLeast(positions: readonly number[], from: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted pair codes, decoded one at a time: hundreds of thousands of [a, b] arrays are not built up front. */
export class PairList {
  constructor(
    private readonly codes: Float64Array,
    private readonly count: number,
  ) {}

  get length(): number {
    return this.codes.length;
  }

  *[Symbol.iterator](): IterableIterator<readonly [number, number]> {
    for (const code of this.codes) yield [Math.floor(code / this.count), code % this.count];
  }

  *entries(): IterableIterator<[number, readonly [number, number]]> {
    let index = 0;
    for (const pair of this) yield [index++, pair];
  }
}

/** A deadline probe for the loop that walks the pairs: true once the deadline passed, looked at every DEADLINE_STRIDE calls. */
export function deadlineProbe(deadline?: Deadline): () => boolean {
  let steps = 0;
  let passed = false;
  return () => {
    if (!passed && ++steps % DEADLINE_STRIDE === 0 && deadline?.expired()) passed = true;
    return passed;
  };
}
