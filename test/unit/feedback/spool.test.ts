import { appendFileSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../../src/feedback/spool.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'spool-'));

describe('Spool', () => {
  it('drains sealed segments oldest first, in append order, and deletes them once written', async () => {
    const spool = await Spool.open<{ n: number }>(dir());
    spool.append({ n: 1 });
    spool.append({ n: 2 });
    await spool.seal();
    spool.append({ n: 3 });
    await spool.seal();
    const seen: number[] = [];
    expect(await spool.drain(async (entries) => void seen.push(...entries.map((e) => e.n)), 1)).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(spool.sealedSegments()).toEqual([]);
    await spool.close();
  });

  it('keeps a segment whose write failed, and replays it (from a new process) later', async () => {
    const where = dir();
    const first = await Spool.open<{ n: number }>(where);
    first.append({ n: 1 });
    await first.seal();
    await expect(first.drain(async () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(readdirSync(where).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
    await first.close();
    const second = await Spool.open<{ n: number }>(where);
    const seen: number[] = [];
    await second.drain(async (entries) => void seen.push(...entries.map((e) => e.n)));
    expect(seen).toEqual([1]);
    await second.close();
  });

  it('does not drain the segment being written, and skips only a torn last line', async () => {
    const where = dir();
    const spool = await Spool.open<{ n: number }>(where);
    spool.append({ n: 1 });
    expect(spool.sealedSegments()).toEqual([]);
    await spool.seal();
    appendFileSync(spool.sealedSegments()[0]!, '{"n": 2, "tor');
    const seen: number[] = [];
    await spool.drain(async (entries) => void seen.push(...entries.map((e) => e.n)));
    expect(seen).toEqual([1]);
    await spool.close();
  });
});

describe('Spool commits', () => {
  it('fsync off the event loop: a commit returns before its fsync, and records written meanwhile wait for the next', async () => {
    const spool = await Spool.open<{ n: number }>(dir());
    spool.append({ n: 1 });
    const committing = spool.commit();
    // The group is written (a kill -9 no longer loses it); its fsync runs on the thread pool, not in this call.
    expect([spool.writes, spool.syncs]).toEqual([1, 0]);
    spool.append({ n: 2 });
    spool.write();
    await committing;
    expect([spool.writes, spool.syncs]).toEqual([2, 1]);
    await spool.commit();
    expect(spool.syncs).toBe(2);
    await spool.close();
  });

  it('sealing starts a new segment at once: a record written while the old one is fsynced goes to the new one', async () => {
    const spool = await Spool.open<{ n: number }>(dir());
    spool.append({ n: 1 });
    const sealing = spool.seal();
    spool.append({ n: 2 });
    spool.write();
    await sealing;
    expect(spool.pending).toBe(1);
    const seen: number[] = [];
    await spool.drain(async (entries) => void seen.push(...entries.map((e) => e.n)));
    expect(seen).toEqual([1]);
    await spool.seal();
    await spool.drain(async (entries) => void seen.push(...entries.map((e) => e.n)));
    expect(seen).toEqual([1, 2]);
    await spool.close();
  });
});

describe('Spool safety', () => {
  it('refuses a directory another spool holds until it is closed, whatever path reaches it', async () => {
    const where = dir();
    const held = await Spool.open(where);
    symlinkSync(where, `${where}-link`);
    await expect(Spool.open(`${where}-link`)).rejects.toThrow(
      `the record spool ${where}-link is in use by process ${process.pid}`,
    );
    await held.close();
    const taken = await Spool.open(`${where}-link`);
    await taken.close();
  });

  it('is not blocked by a lock file of an earlier version naming a live process (a reused PID)', async () => {
    const where = dir();
    writeFileSync(path.join(where, 'spool.lock'), String(process.ppid));
    const spool = await Spool.open(where);
    await spool.close();
  });

  it('skips a corrupt line in the middle of a segment, reporting it, and keeps the records after it', async () => {
    const spool = await Spool.open<{ n: number }>(dir());
    spool.append({ n: 1 });
    await spool.seal();
    const file = spool.sealedSegments()[0]!;
    appendFileSync(file, 'garbage\n{"n": 3}\n');
    const seen: number[] = [];
    const corrupt: number[] = [];
    await spool.drain(
      async (entries) => void seen.push(...entries.map((e) => e.n)),
      500,
      (_f, line) => corrupt.push(line),
    );
    expect([seen, corrupt]).toEqual([[1, 3], [2]]);
    await spool.close();
  });
});
