/**
 * A store of site changes kept in the database (policy changes, rule status changes) reads them at start and again
 * every few seconds, so every replica applies a change another one made; the replica that made it re-reads at once.
 */
export class PeriodicRefresh {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly refresh: () => Promise<void>) {}

  /**
   * Reads now and, with `repeat`, every `refreshMs` after (a failed re-read keeps what was read last). Returns false
   * when the first read failed (the database is unreachable): the files apply until a later read succeeds.
   */
  async start(refreshMs: number, repeat: boolean): Promise<boolean> {
    const read = await this.refresh().then(
      () => true,
      () => false,
    );
    if (repeat) {
      this.timer = setInterval(() => void this.refresh().catch(() => undefined), refreshMs);
      this.timer.unref();
    }
    return read;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
