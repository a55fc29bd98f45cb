/** A request-wide time budget. Everything that waits (FHIR fetches, checks) asks it how long is left. */
export class Deadline {
  private readonly endsAt: number;

  constructor(
    readonly budgetMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.endsAt = clock() + budgetMs;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock());
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** An AbortSignal that fires when the budget runs out, keeping back `reserveMs` to build the answer. */
  signal(reserveMs = 0): AbortSignal {
    return AbortSignal.timeout(Math.max(1, Math.floor(this.remainingMs() - reserveMs)));
  }
}
