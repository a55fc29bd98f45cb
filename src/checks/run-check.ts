/**
 * Runs one check under the request deadline. A check that throws or runs out of time yields an
 * "incomplete" finding naming it, so the answer still goes out with everything else — never a 500, never silence.
 */
import type { Deadline } from '../infra/deadline.js';
import type { Check, CheckInput } from './check.js';
import type { CheckId, Finding, IncompleteCause } from './finding.js';

export interface CheckOutcome {
  readonly findings: readonly Finding[];
  readonly failure?: 'error' | 'timeout';
  readonly error?: unknown;
}

export async function runCheck(
  check: CheckId,
  run: () => Promise<readonly Finding[]>,
  deadline: Deadline,
): Promise<CheckOutcome> {
  const incomplete = (cause: IncompleteCause): Finding[] => [
    { kind: 'incomplete', subject: { kind: 'check', check }, cause },
  ];
  if (deadline.expired()) return { findings: incomplete({ kind: 'deadline-before-start' }), failure: 'timeout' };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ findings: incomplete({ kind: 'did-not-finish' }), failure: 'timeout' }),
      deadline.remainingMs(),
    );
  });
  try {
    return await Promise.race([run().then((findings) => ({ findings })), timeout]);
  } catch (error) {
    return { findings: incomplete({ kind: 'internal-error' }), failure: 'error', error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the checks a hook lists, concurrently, each through runCheck; a check's internal error is reported and
 * becomes its "incomplete" finding. The findings come back in the order the checks are listed.
 */
export async function runChecks(checks: readonly Check[], input: CheckInput): Promise<Finding[]> {
  const outcomes = await Promise.all(
    checks
      .filter((check) => check.applies?.(input) ?? true)
      .map(async (check) => {
        const outcome = await runCheck(check.id, () => check.run(input), input.deadline);
        if (outcome.failure === 'error') input.reportError(check.id, outcome.error);
        return outcome.findings;
      }),
  );
  return outcomes.flat();
}
