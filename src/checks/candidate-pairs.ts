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
  for (let p = 0; p < count; p++) {
    for (const key of new Set(keysOf(p))) {
      const list = byKey.get(key);
      if (list) list.push(p);
      else byKey.set(key, [p]);
    }
  }
  const codes = new Set<number>();
  let steps = 0;
  let outOfTime = false;
  collect: for (const positions of byKey.values()) {
    // Positions are ascending, so the subjects come first: when subjects are not paired with each other, each
    // subject starts at the first other instead of stepping over thousands of subjects it will not pair with.
    let firstOther = 0;
    while (firstOther < positions.length && positions[firstOther]! < subjectCount) firstOther++;
    for (let x = 0; x < firstOther; x++) {
      const a = positions[x]!;
      for (let y = subjectsAgainstEachOther ? x + 1 : firstOther; y < positions.length; y++) {
        codes.add(a * count + positions[y]!);
        if (++steps % DEADLINE_STRIDE === 0 && deadline?.expired()) {
          outOfTime = true;
          break collect;
        }
      }
    }
  }
  // Out of time, nothing will be screened: the pairs are counted, not sorted.
  if (outOfTime) return { pairs: new PairList(new Float64Array(0), count), collected: codes.size, outOfTime };
  // A typed array sorts numbers natively, without a comparator call per comparison (hundreds of thousands of pairs).
  const pairs = new PairList(Float64Array.from(codes).sort(), count);
  return { pairs, collected: pairs.length, outOfTime };
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
