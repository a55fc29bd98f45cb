/**
 * Takes records from the request path (a local append, no database wait) and writes them to PostgreSQL in
 * batches in the background. While the database is down, records wait in the spool and are written in order
 * when it returns; on shutdown the spool is drained for a bounded time, and what cannot be written then stays
 * on disk for the next start.
 */
import type { Database } from '../infra/database.js';
import { writeRecords, type RecordEntry } from './records.js';
import { Spool } from './spool.js';

export interface RecorderOptions {
  readonly db: Database;
  readonly spoolDir: string;
  /** How often the spool is flushed to the database. */
  readonly flushIntervalMs: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

export class Recorder {
  private readonly spool: Spool<RecordEntry>;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastError: string | undefined;
  private written = 0;

  constructor(private readonly options: RecorderOptions) {
    this.spool = new Spool<RecordEntry>(options.spoolDir);
  }

  /** Replays whatever an earlier run left in the spool, then flushes periodically. */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
    void this.flush();
  }

  record(entry: RecordEntry): void {
    this.spool.append(entry);
  }

  /** Seals the current segment and writes every sealed segment; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        if (this.spool.pending > 0) this.spool.seal();
        this.written += await this.spool.drain((entries) => writeRecords(this.options.db, entries));
        if (this.lastError) this.options.log?.('records reach the database again');
        this.lastError = undefined;
      } catch (err) {
        const message = (err as Error).message;
        if (message !== this.lastError) this.options.log?.('records kept in the local spool until the database is back', { reason: message });
        this.lastError = message;
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** Stops the timer and drains for at most `timeoutMs`; anything left stays in the spool. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const until = Date.now() + timeoutMs;
    await this.flush();
    while (this.backlog() > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      await this.flush();
    }
    this.spool.close();
  }

  /** Records not yet in the database (sealed segments count as their files). */
  backlog(): number {
    return this.spool.pending + this.spool.sealedSegments().length;
  }

  status(): { written: number; backlog: number; lastError: string | undefined } {
    return { written: this.written, backlog: this.backlog(), lastError: this.lastError };
  }
}
