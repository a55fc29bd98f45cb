/**
 * Alert analytics for informaticists: what clinicians did with the cards of a period (shown, accepted, overridden,
 * no feedback; inferred outcomes apart from explicit ones), the override rate with its 95% Wilson interval, the
 * override reasons, the weekly trend and shadow rules' would-be volume; and the policy changes the numbers suggest
 * (proposals), computed and never applied by themselves. One query layer for GET /analytics/* and `cds analytics`.
 *
 * Each card counts once, with one outcome: the clinician's explicit feedback if any (the latest by its outcome time:
 * a repeated or corrected item is one card), else an inferred one, else "no feedback". Only the feedback of the
 * client the card was served to counts. Free-text override comments are never read here.
 */
import type { Queryable } from '../infra/database.js';
import { HOOKS } from '../hooks/registry.js';
import { overrideReasonSystem } from '../cards/card.js';
import { overrideReasonDisplayFor } from '../cards/override-reasons.js';
import { indicatorRank, interactionIndicator } from '../cards/policy.js';
import type { IndicatorOrSuppress, Policy } from '../policy/policy-schema.js';
import type { Severity } from '../knowledge/source-schema.js';

export const GROUP_BY = ['alert', 'severity', 'hook', 'service', 'client'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The longest period one query may cover, in days (a year and a day: a leap year's worth of weeks). */
export const MAX_PERIOD_DAYS = 366;
/** The period when none is given: the 90 days ending today (by the application's clock). */
export const DEFAULT_PERIOD_DAYS = 90;
/** Override reasons listed per row. */
export const TOP_REASONS = 5;
/** Rows returned at most (the busiest first). */
export const MAX_ROWS = 1000;

export interface AnalyticsFilters {
  readonly severity?: string;
  readonly hook?: string;
  readonly service?: string;
  readonly client?: string;
}

export interface AnalyticsQuery {
  /** First day, YYYY-MM-DD (UTC). */
  readonly from: string;
  /** Last day, YYYY-MM-DD (UTC), inclusive. */
  readonly to: string;
  readonly groupBy: GroupBy;
  readonly filters: AnalyticsFilters;
}

export interface Counts {
  shown: number;
  accepted: number;
  overridden: number;
  acceptedInferred: number;
  overriddenInferred: number;
  noFeedback: number;
}

export interface Rates {
  readonly overrideRate: number | null;
  readonly overrideRateLow: number | null;
  readonly overrideRateHigh: number | null;
}

export interface ReasonCount {
  readonly system: string | null;
  readonly code: string | null;
  readonly display: string | null;
  readonly count: number;
}

export type RowKind = 'interaction' | 'rule' | 'allergy' | 'dose' | 'duplicate' | 'other' | Exclude<GroupBy, 'alert'>;

export interface AnalyticsRow extends Counts, Rates {
  readonly key: string;
  readonly kind: RowKind;
  readonly id: string;
  readonly label: string;
  /** The severity of the latest card in the row (null for kinds without one). */
  readonly severity: string | null;
  /** The indicator of the latest card in the row. */
  readonly indicator: string | null;
  readonly topReasons: readonly ReasonCount[];
}

export interface WeekRow extends Counts {
  /** The Monday starting the week (UTC), YYYY-MM-DD. */
  readonly week: string;
}

export interface ShadowRow {
  readonly rule: string;
  readonly label: string;
  readonly wouldBeShown: number;
  readonly wouldBeInterruptive: number;
  readonly patients: number;
  /**
   * Of the rule's would-be cards at an earlier hook (order-select), the share whose same draft the rule flagged
   * again at the later hook (order-sign) for the same patient within a day: the prescriber went ahead with what the
   * rule would have warned about. Null when there were no would-be cards at an earlier hook.
   */
  readonly wouldBeOverriddenRate: number | null;
  readonly wouldBeOverriddenBasis: number;
}

export interface AlertAnalytics {
  readonly period: { readonly from: string; readonly to: string };
  readonly groupBy: GroupBy;
  readonly filters: AnalyticsFilters;
  readonly totals: Counts & Rates;
  readonly rows: readonly AnalyticsRow[];
  readonly rowsTruncated: boolean;
  readonly weekly: readonly WeekRow[];
  readonly shadow: readonly ShadowRow[];
}

/** Names for what the ledger records by id: knowledge titles and rule titles. Unknown ids are shown as they are. */
export interface LabelSource {
  rule?(id: string): string | undefined;
}

export interface AnalyticsDeps {
  readonly db: Queryable;
  readonly publicBaseUrl: string;
  readonly labels?: LabelSource;
}

/** A query's instants: [from 00:00Z, the day after `to` 00:00Z). */
export function periodBounds(q: Pick<AnalyticsQuery, 'from' | 'to'>): { start: string; end: string } {
  const end = new Date(`${q.to}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  // The day after 9999-12-31 is past what PostgreSQL reads as a date: the period then runs to the end of time.
  return { start: `${q.from}T00:00:00.000Z`, end: end.getUTCFullYear() > 9999 ? 'infinity' : end.toISOString() };
}

/** The period's days, both ends counted. */
export function periodDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The default period ending on `now`'s UTC day. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(`${to}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - (DEFAULT_PERIOD_DAYS - 1));
  return { from: from.toISOString().slice(0, 10), to };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The 95% Wilson score interval of `x` successes in `n` trials; nulls when n = 0. */
export function wilson(x: number, n: number): Rates {
  if (n === 0) return { overrideRate: null, overrideRateLow: null, overrideRateHigh: null };
  const z = 1.959963984540054;
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return {
    overrideRate: round4(p),
    overrideRateLow: round4(Math.max(0, (centre - margin) / denominator)),
    overrideRateHigh: round4(Math.min(1, (centre + margin) / denominator)),
  };
}

function ratesOf(c: Counts): Rates {
  return wilson(c.overridden + c.overriddenInferred, c.shown);
}

/**
 * The period's cards with their one outcome each ($1 start, $2 end, $3..$6 filters). `o` is accepted, overridden,
 * accepted-inferred, overridden-inferred or none.
 */
const CARD_OUTCOMES = `
  c AS (
    SELECT card_uuid, served_at, service, hook, client, finding_kind, finding_ids, severity, indicator, policy
    FROM cds_card
    WHERE served_at >= $1::timestamptz AND served_at < $2::timestamptz
      AND ($3::text IS NULL OR severity = $3) AND ($4::text IS NULL OR hook = $4)
      AND ($5::text IS NULL OR service = $5) AND ($6::text IS NULL OR client = $6)
  ),
  f AS (
    SELECT DISTINCT ON (f.card_uuid) f.card_uuid, f.outcome, f.inferred, f.override_system, f.override_code
    FROM cds_feedback f JOIN c ON c.card_uuid = f.card_uuid AND c.client = f.client
    ORDER BY f.card_uuid, f.inferred, f.outcome_at DESC, f.received_at DESC, f.feedback_key
  ),
  co AS (
    SELECT c.*, f.override_system, f.override_code,
           CASE WHEN f.outcome IS NULL THEN 'none' WHEN f.inferred THEN f.outcome || '-inferred' ELSE f.outcome END AS o
    FROM c LEFT JOIN f ON f.card_uuid = c.card_uuid
  )`;

const COUNTS = `count(*)::int AS shown,
  (count(*) FILTER (WHERE o = 'accepted'))::int AS accepted,
  (count(*) FILTER (WHERE o = 'overridden'))::int AS overridden,
  (count(*) FILTER (WHERE o = 'accepted-inferred'))::int AS accepted_inferred,
  (count(*) FILTER (WHERE o = 'overridden-inferred'))::int AS overridden_inferred,
  (count(*) FILTER (WHERE o = 'none'))::int AS no_feedback`;

/**
 * The ids a card is counted under when grouped by alert: each interaction, allergy match, dose rule or duplicate
 * rule it is about (a card about two interactions counts under both), a guideline rule's id, or, for cards about no
 * such finding (folded, could not be screened, incomplete, not performed), its kind alone.
 */
const ALERT_IDS = `CROSS JOIN LATERAL unnest(
    CASE WHEN co.finding_kind = 'guideline' THEN co.finding_ids[1:1]
         WHEN co.finding_kind IN ('interaction', 'allergy', 'dose', 'duplicate') AND cardinality(co.finding_ids) > 0 THEN co.finding_ids
         ELSE ARRAY[''] END) AS k(fid)`;

interface CountRow {
  shown: number;
  accepted: number;
  overridden: number;
  accepted_inferred: number;
  overridden_inferred: number;
  no_feedback: number;
}

function counts(r: CountRow): Counts {
  return {
    shown: r.shown,
    accepted: r.accepted,
    overridden: r.overridden,
    acceptedInferred: r.accepted_inferred,
    overriddenInferred: r.overridden_inferred,
    noFeedback: r.no_feedback,
  };
}

function addCounts(a: Counts, b: Counts): void {
  a.shown += b.shown;
  a.accepted += b.accepted;
  a.overridden += b.overridden;
  a.acceptedInferred += b.acceptedInferred;
  a.overriddenInferred += b.overriddenInferred;
  a.noFeedback += b.noFeedback;
}

/** What a ledger id names: its row kind, id and key. */
export function alertKey(findingKind: string, fid: string): { kind: RowKind; id: string; key: string } {
  let kind: RowKind;
  let id = fid;
  if (findingKind === 'guideline') kind = 'rule';
  else if (fid === '') {
    kind = 'other';
    id = findingKind;
  } else if (fid.startsWith('duplicate:')) {
    kind = 'duplicate';
    id = fid.slice('duplicate:'.length);
  } else if (findingKind === 'allergy') {
    kind = 'allergy';
    id =
      fid === 'allergy-same-ingredient'
        ? 'same-ingredient'
        : fid.startsWith('allergy-group:')
          ? `group:${fid.slice('allergy-group:'.length)}`
          : fid;
  } else if (findingKind === 'dose') kind = 'dose';
  else if (findingKind === 'interaction') kind = 'interaction';
  else kind = 'other';
  return { kind, id, key: `${kind}:${id}` };
}

interface Labels {
  interactions: Map<string, { title: string; severity: Severity; oncList?: 'high-priority' | 'low-priority' }>;
  allergyGroups: Map<string, string>;
}

/** Titles and facts of the active knowledge version's interactions and allergy groups. */
async function knowledgeLabels(db: Queryable, interactionIds: readonly string[], groupIds: readonly string[]) {
  const labels: Labels = { interactions: new Map(), allergyGroups: new Map() };
  if (interactionIds.length > 0) {
    const rows = await db.query<{ id: string; title: string; severity: Severity; onc: string | null }>(
      `SELECT i.id, i.record->>'title' AS title, i.severity, i.record->>'oncList' AS onc
       FROM kb_interaction i JOIN kb_active_version a ON a.version_id = i.version_id WHERE i.id = ANY ($1)`,
      [interactionIds],
    );
    for (const r of rows.rows)
      labels.interactions.set(r.id, {
        title: r.title,
        severity: r.severity,
        ...(r.onc === 'high-priority' || r.onc === 'low-priority' ? { oncList: r.onc } : {}),
      });
  }
  if (groupIds.length > 0) {
    const rows = await db.query<{ id: string; name: string }>(
      `SELECT g.id, g.record->>'name' AS name
       FROM kb_allergy_group g JOIN kb_active_version a ON a.version_id = g.version_id WHERE g.id = ANY ($1)`,
      [groupIds],
    );
    for (const r of rows.rows) labels.allergyGroups.set(r.id, r.name);
  }
  return labels;
}

const OTHER_LABELS: Record<string, string> = {
  folded: 'Folded alerts (alert budget)',
  unscreenable: 'Medication could not be screened',
  'display-mismatch': 'Medication name does not match its code',
  incomplete: 'Screening incomplete',
  'not-performed': 'Screening not performed',
  'allergy-not-checked': 'Allergy could not be checked',
  dose: 'Dose could not be checked',
};

function labelOf(kind: RowKind, id: string, labels: Labels, source: LabelSource | undefined): string {
  switch (kind) {
    case 'interaction':
      return labels.interactions.get(id)?.title ?? id;
    case 'rule':
      return source?.rule?.(id) ?? id;
    case 'allergy':
      if (id === 'same-ingredient') return 'Allergy: the same ingredient';
      if (id.startsWith('group:')) {
        const g = id.slice('group:'.length);
        return `Allergy group: ${labels.allergyGroups.get(g) ?? g}`;
      }
      return `Allergy cross-sensitivity: ${id.slice(id.indexOf(':') + 1)}`;
    case 'dose':
      return `Dose rule ${id}`;
    case 'duplicate':
      return id === 'same-ingredient' ? 'Duplicate therapy: the same ingredient' : `Duplicate therapy: ${id}`;
    case 'other':
      return OTHER_LABELS[id] ?? id;
    default:
      return id;
  }
}

interface GroupRow extends CountRow {
  finding_kind: string;
  fid: string;
  policy: string;
  last_at: Date | string;
  severity: string | null;
  indicator: string | null;
}

interface ReasonRow {
  finding_kind: string;
  fid: string;
  policy: string;
  override_system: string | null;
  override_code: string | null;
  n: number;
}

/** Rows per alert before labelling, optionally per policy (proposals are per policy). */
interface AlertGroup extends Counts {
  kind: RowKind;
  id: string;
  key: string;
  policy: string;
  lastAt: number;
  severity: string | null;
  indicator: string | null;
  reasons: Map<string, ReasonCount>;
}

function queryParams(q: AnalyticsQuery): unknown[] {
  const { start, end } = periodBounds(q);
  const f = q.filters;
  return [start, end, f.severity ?? null, f.hook ?? null, f.service ?? null, f.client ?? null];
}

async function alertGroups(
  db: Queryable,
  q: AnalyticsQuery,
  byPolicy: boolean,
  publicBaseUrl: string,
): Promise<AlertGroup[]> {
  const params = queryParams(q);
  const policyColumn = byPolicy ? 'co.policy' : "''";
  const policyGroup = byPolicy ? ', co.policy' : '';
  const rows = await db.query<GroupRow>(
    `WITH ${CARD_OUTCOMES}
     SELECT co.finding_kind, k.fid, ${policyColumn} AS policy, ${COUNTS}, max(co.served_at) AS last_at,
            (array_agg(co.severity ORDER BY co.served_at DESC, co.card_uuid))[1] AS severity,
            (array_agg(co.indicator ORDER BY co.served_at DESC, co.card_uuid))[1] AS indicator
     FROM co ${ALERT_IDS} GROUP BY co.finding_kind, k.fid${policyGroup}`,
    params,
  );
  const reasons = await db.query<ReasonRow>(
    `WITH ${CARD_OUTCOMES}
     SELECT co.finding_kind, k.fid, ${policyColumn} AS policy, co.override_system, co.override_code, count(*)::int AS n
     FROM co ${ALERT_IDS} WHERE co.o = 'overridden'
     GROUP BY co.finding_kind, k.fid${policyGroup}, co.override_system, co.override_code`,
    params,
  );
  const groups = new Map<string, AlertGroup>();
  for (const r of rows.rows) {
    const { kind, id, key } = alertKey(r.finding_kind, r.fid);
    const at = new Date(r.last_at).getTime();
    const mapKey = `${r.policy}\u0000${key}`;
    const g = groups.get(mapKey);
    if (!g) {
      groups.set(mapKey, {
        kind,
        id,
        key,
        policy: r.policy,
        ...counts(r),
        lastAt: at,
        severity: r.severity,
        indicator: r.indicator,
        reasons: new Map(),
      });
      continue;
    }
    addCounts(g, counts(r));
    if (at > g.lastAt) Object.assign(g, { lastAt: at, severity: r.severity, indicator: r.indicator });
  }
  const display = reasonDisplay(publicBaseUrl);
  for (const r of reasons.rows) {
    const { key } = alertKey(r.finding_kind, r.fid);
    const g = groups.get(`${r.policy}\u0000${key}`);
    if (g) addReason(g.reasons, r, display);
  }
  return [...groups.values()];
}

/** Our own codes' displays, as the card of that kind offered them; other systems' codes have none here. */
function reasonDisplay(publicBaseUrl: string) {
  const ours = overrideReasonSystem(publicBaseUrl);
  return (findingKind: string, system: string | null, code: string | null): string | null =>
    code !== null && system === ours ? (overrideReasonDisplayFor(findingKind, code) ?? null) : null;
}

function addReason(
  reasons: Map<string, ReasonCount>,
  r: { finding_kind: string; override_system: string | null; override_code: string | null; n: number },
  display: ReturnType<typeof reasonDisplay>,
): void {
  const key = `${r.override_system ?? ''}\u0000${r.override_code ?? ''}`;
  const before = reasons.get(key);
  reasons.set(key, {
    system: r.override_system,
    code: r.override_code,
    display: before?.display ?? display(r.finding_kind, r.override_system, r.override_code),
    count: (before?.count ?? 0) + r.n,
  });
}

const byOverriddenThenShown = (a: Counts & { key: string }, b: Counts & { key: string }) =>
  b.overridden + b.overriddenInferred - (a.overridden + a.overriddenInferred) ||
  b.shown - a.shown ||
  a.key.localeCompare(b.key);

function topReasons(reasons: Map<string, ReasonCount>): ReasonCount[] {
  return [...reasons.values()]
    .sort((a, b) => b.count - a.count || `${a.system}|${a.code}`.localeCompare(`${b.system}|${b.code}`))
    .slice(0, TOP_REASONS);
}

async function labelled(db: Queryable, groups: readonly AlertGroup[], source: LabelSource | undefined) {
  const interactionIds = [...new Set(groups.filter((g) => g.kind === 'interaction').map((g) => g.id))];
  const groupIds = [
    ...new Set(
      groups.filter((g) => g.kind === 'allergy' && g.id.startsWith('group:')).map((g) => g.id.slice('group:'.length)),
    ),
  ];
  const labels = await knowledgeLabels(db, interactionIds, groupIds);
  return { labels, label: (g: { kind: RowKind; id: string }) => labelOf(g.kind, g.id, labels, source) };
}

export async function alertAnalytics(deps: AnalyticsDeps, q: AnalyticsQuery): Promise<AlertAnalytics> {
  const { db } = deps;
  const params = queryParams(q);
  const totalRow = await db.query<CountRow>(`WITH ${CARD_OUTCOMES} SELECT ${COUNTS} FROM co`, params);
  const totals = counts(totalRow.rows[0]!);
  let rows: AnalyticsRow[];
  if (q.groupBy === 'alert') {
    const groups = (await alertGroups(db, q, false, deps.publicBaseUrl)).sort(byOverriddenThenShown);
    const { label } = await labelled(db, groups.slice(0, MAX_ROWS), deps.labels);
    rows = groups.slice(0, MAX_ROWS).map((g) => ({
      key: g.key,
      kind: g.kind,
      id: g.id,
      label: label(g),
      severity: g.severity,
      indicator: g.indicator,
      ...countsOf(g),
      ...ratesOf(g),
      topReasons: topReasons(g.reasons),
    }));
    return finish(deps, q, totals, rows, groups.length > MAX_ROWS);
  }
  // Grouped by a column of the ledger: a card counts once.
  const column = q.groupBy;
  const grouped = await db.query<CountRow & { value: string | null }>(
    `WITH ${CARD_OUTCOMES} SELECT co.${column} AS value, ${COUNTS} FROM co GROUP BY co.${column}`,
    params,
  );
  const reasons = await db.query<{
    value: string | null;
    finding_kind: string;
    override_system: string | null;
    override_code: string | null;
    n: number;
  }>(
    `WITH ${CARD_OUTCOMES} SELECT co.${column} AS value, co.finding_kind, co.override_system, co.override_code, count(*)::int AS n
     FROM co WHERE co.o = 'overridden' GROUP BY co.${column}, co.finding_kind, co.override_system, co.override_code
     ORDER BY co.finding_kind`,
    params,
  );
  const display = reasonDisplay(deps.publicBaseUrl);
  rows = grouped.rows
    .map((r) => {
      const id = r.value ?? 'none';
      const c = counts(r);
      const reasonsOf = new Map<string, ReasonCount>();
      for (const x of reasons.rows.filter((x) => (x.value ?? 'none') === id)) addReason(reasonsOf, x, display);
      return {
        key: `${column}:${id}`,
        kind: column,
        id,
        label: id,
        severity: column === 'severity' ? r.value : null,
        indicator: null,
        ...c,
        ...ratesOf(c),
        topReasons: topReasons(reasonsOf),
      } satisfies AnalyticsRow;
    })
    .sort(byOverriddenThenShown);
  return finish(deps, q, totals, rows.slice(0, MAX_ROWS), rows.length > MAX_ROWS);
}

function countsOf(c: Counts): Counts {
  return {
    shown: c.shown,
    accepted: c.accepted,
    overridden: c.overridden,
    acceptedInferred: c.acceptedInferred,
    overriddenInferred: c.overriddenInferred,
    noFeedback: c.noFeedback,
  };
}

async function finish(
  deps: AnalyticsDeps,
  q: AnalyticsQuery,
  totals: Counts,
  rows: AnalyticsRow[],
  rowsTruncated: boolean,
): Promise<AlertAnalytics> {
  const params = queryParams(q);
  const weeks = await deps.db.query<CountRow & { week: string }>(
    `WITH ${CARD_OUTCOMES}
     SELECT to_char(date_trunc('week', co.served_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week, ${COUNTS}
     FROM co GROUP BY 1 ORDER BY 1`,
    params,
  );
  return {
    period: { from: q.from, to: q.to },
    groupBy: q.groupBy,
    filters: q.filters,
    totals: { ...totals, ...ratesOf(totals) },
    rows,
    rowsTruncated,
    weekly: weeks.rows.map((w) => ({ week: w.week, ...counts(w) })),
    shadow: await shadowVolume(deps, q),
  };
}

/** Pairs of hooks where a later one follows an earlier one for the same drafts (order-select, then order-sign). */
function hookPairs(): { earlier: string[]; later: string[] } {
  const earlier: string[] = [];
  const later: string[] = [];
  for (const [name, hook] of Object.entries(HOOKS)) {
    if (!hook.recallsOverridesFrom) continue;
    earlier.push(hook.recallsOverridesFrom.name);
    later.push(name);
  }
  return { earlier, later };
}

/** Shadow rules' would-be cards in the period (the hook, service and client filters apply; severity does not). */
async function shadowVolume(deps: AnalyticsDeps, q: AnalyticsQuery): Promise<ShadowRow[]> {
  const { start, end } = periodBounds(q);
  const { earlier, later } = hookPairs();
  const rows = await deps.db.query<{
    rule_id: string;
    shown: number;
    interruptive: number;
    patients: number;
    basis: number;
    kept: number;
  }>(
    `WITH s AS (
       SELECT * FROM cds_rule_shadow
       WHERE recorded_at >= $1::timestamptz AND recorded_at < $2::timestamptz
         AND ($3::text IS NULL OR hook = $3) AND ($4::text IS NULL OR service = $4) AND ($5::text IS NULL OR client = $5)
     )
     SELECT s.rule_id, count(*)::int AS shown,
            (count(*) FILTER (WHERE s.indicator IN ('warning', 'critical')))::int AS interruptive,
            count(DISTINCT s.patient_hash)::int AS patients,
            (count(*) FILTER (WHERE s.hook = ANY ($6) AND cardinality(s.draft_hashes) > 0))::int AS basis,
            (count(*) FILTER (WHERE s.hook = ANY ($6) AND cardinality(s.draft_hashes) > 0 AND EXISTS (
               SELECT 1 FROM cds_rule_shadow t
               WHERE t.rule_id = s.rule_id AND t.client = s.client AND t.patient_hash = s.patient_hash
                 AND t.hook = ANY ($7) AND t.recorded_at >= s.recorded_at AND t.recorded_at < s.recorded_at + interval '1 day'
                 AND t.draft_hashes && s.draft_hashes)))::int AS kept
     FROM s GROUP BY s.rule_id ORDER BY count(*) DESC, s.rule_id LIMIT ${MAX_ROWS}`,
    [start, end, q.filters.hook ?? null, q.filters.service ?? null, q.filters.client ?? null, earlier, later],
  );
  return rows.rows.map((r) => ({
    rule: r.rule_id,
    label: deps.labels?.rule?.(r.rule_id) ?? r.rule_id,
    wouldBeShown: r.shown,
    wouldBeInterruptive: r.interruptive,
    patients: r.patients,
    wouldBeOverriddenRate: r.basis > 0 ? round4(r.kept / r.basis) : null,
    wouldBeOverriddenBasis: r.basis,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Proposals

/** When a proposal is made (defaults documented in src/feedback/README.md, "Analytics"). */
export interface ProposalThresholds {
  /** Cards shown in the period before an override rate is judged. */
  readonly minShown: number;
  /** Override rate (overridden / shown) at or above which an interruptive alert is proposed for demotion. */
  readonly demoteRate: number;
  /** A shadow rule is proposed for promotion at or below this would-be override rate ... */
  readonly promoteMaxOverrideRate: number;
  /** ... and at or below this many would-be cards a day. */
  readonly promoteMaxPerDay: number;
}

export const DEFAULT_THRESHOLDS: ProposalThresholds = {
  minShown: 20,
  demoteRate: 0.9,
  promoteMaxOverrideRate: 0.5,
  promoteMaxPerDay: 50,
};

export type ProposalKind = 'demote' | 'protect' | 'promote-shadow';

export interface Proposal {
  readonly id: string;
  readonly kind: ProposalKind;
  readonly target: { readonly kind: string; readonly id: string; readonly label: string; readonly policy?: string };
  /** What it changes: an interaction's indicator (demote, protect) or a rule's status (promote-shadow). */
  readonly current?: { readonly indicator: string } | { readonly status: string };
  readonly proposed?: { readonly indicator: string } | { readonly status: string };
  readonly reason: string;
  readonly evidence: Record<string, unknown> & Rates & { readonly shown: number; readonly overridden: number };
  readonly applicable: boolean;
  /** Why it cannot be applied here, and who decides instead (when not applicable). */
  readonly notApplicableBecause?: string;
}

export interface ProposalsAnswer {
  readonly period: { readonly from: string; readonly to: string };
  readonly thresholds: ProposalThresholds;
  readonly proposals: readonly Proposal[];
}

export interface ProposalDeps extends AnalyticsDeps {
  readonly policies: ReadonlyMap<string, Policy>;
  /** The status of a loaded rule (shadow, active, retired), when known: only shadow rules are proposed for promotion. */
  readonly ruleStatus?: (id: string) => string | undefined;
  /** A promotion can be stored (the site's rule status changes): promote-shadow proposals are applicable. */
  readonly canPromote?: boolean;
}

const ONE_LOWER: Partial<Record<IndicatorOrSuppress, IndicatorOrSuppress>> = { critical: 'warning', warning: 'info' };
const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x * 1000) / 10}%`);

export async function proposals(
  deps: ProposalDeps,
  q: Pick<AnalyticsQuery, 'from' | 'to'>,
  thresholds: ProposalThresholds = DEFAULT_THRESHOLDS,
): Promise<ProposalsAnswer> {
  const query: AnalyticsQuery = { from: q.from, to: q.to, groupBy: 'alert', filters: {} };
  const groups = await alertGroups(deps.db, query, true, deps.publicBaseUrl);
  const { labels, label } = await labelled(deps.db, groups, deps.labels);
  const out: Proposal[] = [];
  for (const g of groups.sort((a, b) => a.key.localeCompare(b.key) || a.policy.localeCompare(b.policy))) {
    const rates = ratesOf(g);
    const overridden = g.overridden + g.overriddenInferred;
    const evidence = {
      shown: g.shown,
      overridden,
      accepted: g.accepted,
      acceptedInferred: g.acceptedInferred,
      noFeedback: g.noFeedback,
      ...rates,
      severity: g.severity,
      topReasons: topReasons(g.reasons),
    };
    const target = { kind: g.kind, id: g.id, label: label(g), policy: g.policy };
    const heavilyOverridden = g.shown >= thresholds.minShown && (rates.overrideRate ?? 0) >= thresholds.demoteRate;
    const facts = g.kind === 'interaction' ? labels.interactions.get(g.id) : undefined;
    const policy = deps.policies.get(g.policy);
    const contraindicated = (facts?.severity ?? g.severity) === 'contraindicated';
    const highPriority = facts?.oncList === 'high-priority';
    if (heavilyOverridden && (contraindicated || highPriority)) {
      out.push({
        id: `protect:${g.policy}:${g.key}`,
        kind: 'protect',
        target,
        ...(g.indicator ? { current: { indicator: g.indicator } } : {}),
        reason: `${highPriority ? 'An ONC high-priority' : 'A contraindicated'} alert overridden ${pct(rates.overrideRate)} of ${g.shown} times under the ${g.policy} policy: refer it to a pharmacist or the committee; it is never demoted.`,
        evidence: { ...evidence, oncList: facts?.oncList ?? null },
        applicable: false,
        notApplicableBecause:
          'ONC high-priority and contraindicated alerts are reviewed by a pharmacist or the committee, never demoted',
      });
      continue;
    }
    // Only an interaction's indicator is a per-alert policy setting (the site's audited changes).
    if (g.kind !== 'interaction' || !facts || !policy) continue;
    const current = interactionIndicator({ id: g.id, severity: facts.severity, oncList: facts.oncList }, policy);
    if (facts.oncList === 'low-priority' && indicatorRank(current) > indicatorRank('info') && g.shown > 0) {
      out.push({
        id: `demote:${g.policy}:${g.id}`,
        kind: 'demote',
        target,
        current: { indicator: current },
        proposed: { indicator: 'info' },
        reason: `An ONC low-priority pair shown as ${current} (interruptive) ${g.shown} times under the ${g.policy} policy: low-priority pairs should not interrupt.`,
        evidence: { ...evidence, oncList: 'low-priority' },
        applicable: true,
      });
      continue;
    }
    const lower = ONE_LOWER[current];
    if (heavilyOverridden && lower) {
      out.push({
        id: `demote:${g.policy}:${g.id}`,
        kind: 'demote',
        target,
        current: { indicator: current },
        proposed: { indicator: lower },
        reason: `Overridden ${pct(rates.overrideRate)} of ${g.shown} times shown (95% interval ${pct(rates.overrideRateLow)} to ${pct(rates.overrideRateHigh)}) under the ${g.policy} policy: show it one level lower.`,
        evidence: { ...evidence, oncList: facts.oncList ?? null },
        applicable: true,
      });
    }
  }
  const days = periodDays(q.from, q.to);
  for (const s of await shadowVolume(deps, query)) {
    if (deps.ruleStatus && deps.ruleStatus(s.rule) !== 'shadow') continue;
    const perDay = Math.round((s.wouldBeShown / days) * 10) / 10;
    const rates =
      s.wouldBeOverriddenBasis > 0
        ? wilson(Math.round((s.wouldBeOverriddenRate ?? 0) * s.wouldBeOverriddenBasis), s.wouldBeOverriddenBasis)
        : wilson(0, 0);
    if (
      s.wouldBeShown < thresholds.minShown ||
      perDay > thresholds.promoteMaxPerDay ||
      s.wouldBeOverriddenRate === null ||
      s.wouldBeOverriddenRate > thresholds.promoteMaxOverrideRate
    )
      continue;
    out.push({
      id: `promote-shadow:${s.rule}`,
      kind: 'promote-shadow',
      target: { kind: 'rule', id: s.rule, label: s.label },
      reason: `A shadow rule that would have shown ${s.wouldBeShown} cards (${perDay} a day), of which ${pct(s.wouldBeOverriddenRate)} would likely have been overridden: ready to go live.`,
      evidence: {
        shown: s.wouldBeShown,
        overridden: Math.round((s.wouldBeOverriddenRate ?? 0) * s.wouldBeOverriddenBasis),
        ...rates,
        wouldBeShown: s.wouldBeShown,
        wouldBeInterruptive: s.wouldBeInterruptive,
        patients: s.patients,
        perDay,
        wouldBeOverriddenBasis: s.wouldBeOverriddenBasis,
      },
      // Applied as the site's audited status change for the loaded version (the rule file is not written).
      ...(deps.ruleStatus && deps.canPromote
        ? { current: { status: 'shadow' }, proposed: { status: 'active' }, applicable: true }
        : {
            applicable: false,
            notApplicableBecause:
              'the loaded rules or the store of site rule changes are not known here; see rules/README.md',
          }),
    });
  }
  out.sort((a, b) => a.id.localeCompare(b.id));
  return { period: { from: q.from, to: q.to }, thresholds, proposals: out };
}

/** Why a proposal could not be applied: it is not (or no longer) proposed, or it may not be applied here. */
export class ProposalError extends Error {
  constructor(
    readonly reason: 'not-found' | 'not-applicable',
    message: string,
  ) {
    super(message);
  }
}

export type AppliedProposal =
  | {
      readonly proposal: string;
      readonly policy: string;
      readonly interaction: string;
      readonly indicator: string;
      readonly note: string;
      readonly changedBy: string;
    }
  | {
      readonly proposal: string;
      readonly rule: string;
      /** The rule version the change was made for (a later version runs with its file's status). */
      readonly ruleVersion: string;
      readonly status: 'active';
      readonly note: string;
      readonly changedBy: string;
    };

/** The audited changes the caller owns (each its store plus an audit event). */
export interface ProposalChanges {
  /** A demotion: the site's indicator for an interaction in a policy. */
  policy(
    policy: string,
    interaction: string,
    indicator: IndicatorOrSuppress,
    detail: Record<string, unknown>,
  ): Promise<void>;
  /**
   * A promotion: the site's status for the loaded version of a rule; answers the version it was made for, or
   * undefined when the rule is no longer loaded.
   */
  ruleStatus(
    rule: string,
    status: 'active',
    detail: Record<string, unknown>,
  ): Promise<{ readonly version: string } | undefined>;
}

/**
 * Applies a demotion or a shadow rule's promotion: recomputes the proposals of the period, finds this one (still
 * proposed and applicable) and hands it to its change in `changes`.
 */
export async function applyProposal(
  deps: ProposalDeps,
  q: Pick<AnalyticsQuery, 'from' | 'to'>,
  id: string,
  note: string,
  changedBy: string,
  changes: ProposalChanges,
  thresholds: ProposalThresholds = DEFAULT_THRESHOLDS,
): Promise<AppliedProposal> {
  const found = (await proposals(deps, q, thresholds)).proposals.find((p) => p.id === id);
  if (!found)
    throw new ProposalError('not-found', `proposal ${id.slice(0, 200)} is not proposed for ${q.from} to ${q.to}`);
  const evidence = {
    shown: found.evidence.shown,
    overridden: found.evidence.overridden,
    overrideRate: found.evidence.overrideRate,
  };
  if (found.applicable && found.kind === 'promote-shadow') {
    const changed = await changes.ruleStatus(found.target.id, 'active', { proposal: id, from: 'shadow', evidence });
    if (!changed) throw new ProposalError('not-found', `rule ${found.target.id} is no longer loaded`);
    return { proposal: id, rule: found.target.id, ruleVersion: changed.version, status: 'active', note, changedBy };
  }
  if (
    !found.applicable ||
    found.kind !== 'demote' ||
    !found.proposed ||
    !('indicator' in found.proposed) ||
    !found.target.policy
  )
    throw new ProposalError(
      'not-applicable',
      `proposal ${id} cannot be applied: ${found.notApplicableBecause ?? 'not a demotion'}`,
    );
  const indicator = found.proposed.indicator as IndicatorOrSuppress;
  await changes.policy(found.target.policy, found.target.id, indicator, {
    proposal: id,
    from: found.current && 'indicator' in found.current ? found.current.indicator : null,
    evidence,
  });
  return { proposal: id, policy: found.target.policy, interaction: found.target.id, indicator, note, changedBy };
}

// ---------------------------------------------------------------------------------------------------------------
// CSV

const CSV_COLUMNS = [
  'key',
  'kind',
  'id',
  'label',
  'severity',
  'indicator',
  'shown',
  'accepted',
  'overridden',
  'acceptedInferred',
  'overriddenInferred',
  'noFeedback',
  'overrideRate',
  'overrideRateLow',
  'overrideRateHigh',
  'topReasons',
] as const;

/** One CSV field: RFC 4180 quoting, and text a spreadsheet would run as a formula made inert with a leading quote. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : String(value);
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV (header line, CRLF line ends); the top reasons as `code (display) ×count` joined by `; `. */
export function analyticsCsv(a: AlertAnalytics): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of a.rows) {
    lines.push(
      CSV_COLUMNS.map((c) =>
        csvField(
          c === 'topReasons'
            ? r.topReasons.map((t) => `${t.code ?? 'none'}${t.display ? ` (${t.display})` : ''} x${t.count}`).join('; ')
            : r[c],
        ),
      ).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
