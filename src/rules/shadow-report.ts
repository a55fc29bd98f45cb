/**
 * What shadow rules would have shown: per rule and version, how many cards, for how many patients, how many
 * interruptive, on which hooks, and against how many service calls on those hooks — the alert volume an
 * informaticist weighs before switching a rule to active. Read from cds_rule_shadow and the audit trail.
 */
import type { Queryable } from '../infra/database.js';

export interface ShadowReportRow {
  readonly ruleId: string;
  readonly ruleVersion: string;
  readonly cards: number;
  readonly patients: number;
  /** Cards that would have been warning or critical (interrupting the prescriber). */
  readonly interruptive: number;
  readonly perDay: number;
  readonly firstAt: string;
  readonly lastAt: string;
  /** Per hook: would-be cards, and all service calls on that hook in the period (the denominator). */
  readonly hooks: readonly { readonly hook: string; readonly cards: number; readonly calls: number }[];
}

export interface ShadowReport {
  readonly since: string;
  readonly until: string;
  readonly days: number;
  readonly rows: readonly ShadowReportRow[];
}

export async function shadowReport(
  db: Queryable,
  options: { since: Date; until: Date; rule?: string },
): Promise<ShadowReport> {
  const params = [options.since.toISOString(), options.until.toISOString(), options.rule ?? null];
  const where = 'recorded_at >= $1 AND recorded_at < $2 AND ($3::text IS NULL OR rule_id = $3)';
  const totals = await db.query<{
    rule_id: string;
    rule_version: string;
    cards: number;
    patients: number;
    interruptive: number;
    first_at: Date | string;
    last_at: Date | string;
  }>(
    `SELECT rule_id, rule_version, count(*)::int AS cards, count(DISTINCT patient_hash)::int AS patients,
            (count(*) FILTER (WHERE indicator IN ('warning', 'critical')))::int AS interruptive,
            min(recorded_at) AS first_at, max(recorded_at) AS last_at
     FROM cds_rule_shadow WHERE ${where} GROUP BY rule_id, rule_version ORDER BY rule_id, rule_version`,
    params,
  );
  const byHook = await db.query<{ rule_id: string; rule_version: string; hook: string; cards: number }>(
    `SELECT rule_id, rule_version, hook, count(*)::int AS cards FROM cds_rule_shadow WHERE ${where} GROUP BY rule_id, rule_version, hook ORDER BY hook`,
    params,
  );
  const calls = await db.query<{ hook: string; calls: number }>(
    `SELECT hook, count(*)::int AS calls FROM cds_audit_event
     WHERE action = 'service-call' AND outcome <> 'client-error' AND recorded_at >= $1 AND recorded_at < $2 AND hook IS NOT NULL GROUP BY hook`,
    params.slice(0, 2),
  );
  const callsByHook = new Map(calls.rows.map((r) => [r.hook, r.calls]));
  const days = Math.max(1, (options.until.getTime() - options.since.getTime()) / 86_400_000);
  const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
  return {
    since: options.since.toISOString(),
    until: options.until.toISOString(),
    days: Math.round(days * 10) / 10,
    rows: totals.rows.map((r) => ({
      ruleId: r.rule_id,
      ruleVersion: r.rule_version,
      cards: r.cards,
      patients: r.patients,
      interruptive: r.interruptive,
      perDay: Math.round((r.cards / days) * 10) / 10,
      firstAt: iso(r.first_at),
      lastAt: iso(r.last_at),
      hooks: byHook.rows
        .filter((h) => h.rule_id === r.rule_id && h.rule_version === r.rule_version)
        .map((h) => ({ hook: h.hook, cards: h.cards, calls: callsByHook.get(h.hook) ?? 0 })),
    })),
  };
}

/** The report as a table for the terminal. */
export function formatShadowReport(report: ShadowReport): string {
  const lines = [`shadow rules, ${report.since.slice(0, 10)} to ${report.until.slice(0, 10)} (${report.days} days)`];
  if (report.rows.length === 0) {
    lines.push('no would-be cards were recorded in this period');
    return lines.join('\n');
  }
  const header = ['rule', 'version', 'cards', 'per day', 'patients', 'interruptive', 'by hook (share of calls)'];
  const rows = report.rows.map((r) => [
    r.ruleId,
    r.ruleVersion,
    String(r.cards),
    String(r.perDay),
    String(r.patients),
    String(r.interruptive),
    r.hooks
      .map(
        (h) =>
          `${h.hook} ${h.cards}${h.calls > 0 ? ` (${(Math.round((h.cards / h.calls) * 1000) / 10).toFixed(1)}% of ${h.calls})` : ''}`,
      )
      .join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  lines.push(line(header), ...rows.map(line));
  return lines.join('\n');
}
