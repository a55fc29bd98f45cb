/**
 * Runs one check under the request deadline. A check that throws or runs out of time yields an
 * "incomplete" finding naming it, so the answer still goes out with everything else — never a 500, never silence.
 */
import type { Deadline } from '../infra/deadline.js';
import type { Finding } from './finding.js';

export interface CheckOutcome {
  readonly findings: readonly Finding[];
  readonly failure?: 'error' | 'timeout';
  readonly error?: unknown;
}

export async function runCheck(
  what: string,
  run: () => Promise<readonly Finding[]>,
  deadline: Deadline,
): Promise<CheckOutcome> {
  if (deadline.expired()) {
    return {
      findings: [{ kind: 'incomplete', what, reason: 'the time budget for this request ran out before it could run' }],
      failure: 'timeout',
    };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          findings: [{ kind: 'incomplete', what, reason: 'it did not finish within the time budget for this request' }],
          failure: 'timeout',
        }),
      deadline.remainingMs(),
    );
  });
  try {
    return await Promise.race([run().then((findings) => ({ findings })), timeout]);
  } catch (error) {
    return {
      findings: [
        { kind: 'incomplete', what, reason: 'it failed with an internal error (logged for the administrators)' },
      ],
      failure: 'error',
      error,
    };
  } finally {
    clearTimeout(timer);
  }
}
