/**
 * The recorder's group commit, without a database: the records of the service calls answered in one event-loop turn
 * go to the spool file in one write (the answers wait for it), never one per record, and are fsynced only by the
 * flush; feedback and audit events of people's actions are written and fsynced before the call returns.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardRecords } from '../../../src/feedback/card-records.js';
import { Recorder } from '../../../src/feedback/recorder.js';
import type { Database } from '../../../src/infra/database.js';
import type { RecordEntry } from '../../../src/infra/records.js';
import { NOW } from '../../support/app.js';

/** A database that is never reached: these tests stop before the spool is drained. */
const unreachable: Database = {
  kind: 'postgres',
  query: () => Promise.reject(new Error('unreachable')),
  transaction: () => Promise.reject(new Error('unreachable')),
  exec: () => Promise.reject(new Error('unreachable')),
  close: async () => undefined,
};

/** One turn of the event loop: the recorder's write is queued for the end of the current one. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const spoolLines = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as RecordEntry);

const feedback = (card: string): RecordEntry => ({
  type: 'feedback',
  row: {
    feedbackKey: `key-${card}`,
    cardUuid: card,
    receivedAt: NOW.toISOString(),
    client: 'unit',
    outcome: 'overridden',
    inferred: false,
    outcomeAt: NOW.toISOString(),
    acceptedSuggestions: [],
    overrideSystem: null,
    overrideCode: null,
    overrideComment: null,
  },
});

async function openRecorder(): Promise<{ recorder: Recorder; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cds-recorder-'));
  // Never started: no timer flushes behind the test's back.
  return { recorder: await Recorder.open({ db: unreachable, spoolDir: dir, flushIntervalMs: 3_600_000 }), dir };
}

describe('Recorder group commit', () => {
  it('writes the records of the calls of one turn in one write, and fsyncs none of them', async () => {
    const { recorder, dir } = await openRecorder();
    const records = new CardRecords(
      recorder,
      unreachable,
      (id) => `h-${id}`,
      100,
      () => NOW,
    );
    try {
      for (let i = 0; i < 5; i++)
        records.recordServiceCall({
          service: 'medication-safety-select',
          hook: 'order-select',
          client: 'unit',
          servedAt: NOW,
          durationMs: 1,
          status: 200,
          fallback: { cards: [{ uuid: `card-${i}`, indicator: 'warning' }], hookInstance: `hi-${i}`, patientId: 'p' },
        });
      // Nothing has touched the disk while the calls were screened.
      expect(spoolLines(dir)).toEqual([]);
      expect(recorder.status()).toMatchObject({ backlog: 15, spoolWrites: 0, spoolSyncs: 0 });
      await records.spooled();
      // Each call: the client seen, its card and its audit event; all fifteen in one write.
      expect(spoolLines(dir).map((e) => e.type)).toEqual(
        Array.from({ length: 5 }, () => ['client', 'card', 'audit']).flat(),
      );
      expect(recorder.status()).toMatchObject({ backlog: 15, spoolWrites: 1, spoolSyncs: 0 });
    } finally {
      await recorder.stop(0);
    }
  });

  it('writes and fsyncs feedback before resolving, with whatever was queued before it', async () => {
    const { recorder, dir } = await openRecorder();
    try {
      recorder.record(feedback('queued'));
      const durable = recorder.recordDurably([feedback('a'), feedback('b')]);
      // Written at once (a kill -9 no longer loses them); the fsync resolves the call, off the event loop.
      expect(spoolLines(dir).map((e) => (e.row as { cardUuid: string }).cardUuid)).toEqual(['queued', 'a', 'b']);
      expect(recorder.status()).toMatchObject({ backlog: 3, spoolWrites: 1, spoolSyncs: 0 });
      await durable;
      expect(recorder.status()).toMatchObject({ backlog: 3, spoolWrites: 1, spoolSyncs: 1 });
      await nextTurn(); // the write queued for the first record finds nothing left to write
      expect(recorder.status()).toMatchObject({ spoolWrites: 1, spoolSyncs: 1 });
    } finally {
      await recorder.stop(0);
    }
  });
});
