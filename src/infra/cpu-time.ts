/**
 * CPU time, for charging guideline rules by what they cost rather than by how long the machine took: on a busy
 * host a rule that costs a tenth of a millisecond can take tens of milliseconds of wall time, and switching it off
 * for that would turn load into missing safety checks.
 *
 * Node 20 has no per-thread CPU clock, so this reads the process's (user + system, `process.cpuUsage()`). Rules
 * run synchronously on the main thread and are read around each synchronous piece of their work, so what the
 * difference adds beyond the rule's own work is what the process's other threads (garbage-collection helpers, the
 * compiler, the libuv pool) did in those same moments: small against a rule's budget, and evened out by judging a
 * rule over a window of evaluations, never one. Time the process spends waiting for a core is not counted at all.
 */
export type CpuClock = () => number;

/** Milliseconds of CPU this process has used. */
export const processCpuMs: CpuClock = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
