/**
 * Alert analytics for informaticists and administrators: GET /analytics/alerts (JSON or CSV), GET
 * /analytics/proposals, and POST /analytics/proposals/:id/apply (a demotion made as an audited policy change, or a
 * shadow rule promoted as an audited site status change of its loaded version, each with a
 * required note). The numbers come from src/feedback/analytics.ts, the one query layer `cds analytics` uses too.
 */
import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../errors.js';
import type { Queryable } from '../infra/database.js';
import type { CardRecords } from '../feedback/card-records.js';
import {
  DEFAULT_PERIOD_DAYS,
  DEFAULT_THRESHOLDS,
  GROUP_BY,
  MAX_PERIOD_DAYS,
  ProposalError,
  alertAnalytics,
  analyticsCsv,
  applyProposal,
  defaultPeriod,
  periodDays,
  proposals,
  type AnalyticsFilters,
  type AnalyticsQuery,
  type GroupBy,
  type ProposalThresholds,
} from '../feedback/analytics.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { RuleStatusStore } from '../rules/rule-status-store.js';
import type { UserIdentity } from '../auth/user-auth.js';
import { people } from './route-access.js';
import { isCalendarDate } from './query-values.js';

const ANALYSTS = { access: people(['informaticist', 'admin']) };

/** What a query may say, as text (each parameter once). */
export interface AnalyticsParams {
  from?: string;
  to?: string;
  groupBy?: string;
  format?: string;
  severity?: string;
  hook?: string;
  service?: string;
  client?: string;
  minShown?: string;
}

const FILTER = { type: 'string', minLength: 1, maxLength: 200 } as const;
const AlertsQuery = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { type: 'string' },
      to: { type: 'string' },
      groupBy: { type: 'string' },
      format: { type: 'string' },
      severity: FILTER,
      hook: FILTER,
      service: FILTER,
      client: FILTER,
    },
  },
} as const;
const ProposalsQuery = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { from: { type: 'string' }, to: { type: 'string' }, minShown: { type: 'string' } },
  },
} as const;
const ApplyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['note'],
  properties: {
    note: { type: 'string', minLength: 10, maxLength: 2000 },
    from: { type: 'string' },
    to: { type: 'string' },
    minShown: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;
const ApplyParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

/** A bad query, worded for the caller: HTTP answers it with 400, the CLI prints it. */
export class AnalyticsParamError extends Error {}

/**
 * The period, grouping and filters of a query, checked: real days, `from` not after `to`, at most
 * MAX_PERIOD_DAYS, a known `groupBy`. Defaults: the 90 days ending today by `now`, grouped by alert.
 */
export function parseAnalyticsParams(p: AnalyticsParams, now: Date): AnalyticsQuery & { format: 'json' | 'csv' } {
  for (const [name, value] of [
    ['from', p.from],
    ['to', p.to],
  ] as const)
    if (value !== undefined && !isCalendarDate(value))
      throw new AnalyticsParamError(`${name} must be a real day as YYYY-MM-DD, not "${value.slice(0, 40)}"`);
  const to = p.to ?? defaultPeriod(now).to;
  let from = p.from;
  if (from === undefined) {
    const d = new Date(`${to}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - (DEFAULT_PERIOD_DAYS - 1));
    from = d.getUTCFullYear() >= 1 ? d.toISOString().slice(0, 10) : '0001-01-01';
  }
  if (from > to) throw new AnalyticsParamError(`from (${from}) is after to (${to})`);
  if (periodDays(from, to) > MAX_PERIOD_DAYS)
    throw new AnalyticsParamError(`the period is longer than ${MAX_PERIOD_DAYS} days; ask for a shorter one`);
  const groupBy = p.groupBy ?? 'alert';
  if (!(GROUP_BY as readonly string[]).includes(groupBy))
    throw new AnalyticsParamError(`groupBy must be one of ${GROUP_BY.join(', ')}, not "${groupBy.slice(0, 40)}"`);
  const format = p.format ?? 'json';
  if (format !== 'json' && format !== 'csv')
    throw new AnalyticsParamError(`format must be json or csv, not "${format.slice(0, 40)}"`);
  const filters: AnalyticsFilters = {
    ...(p.severity !== undefined ? { severity: p.severity } : {}),
    ...(p.hook !== undefined ? { hook: p.hook } : {}),
    ...(p.service !== undefined ? { service: p.service } : {}),
    ...(p.client !== undefined ? { client: p.client } : {}),
  };
  return { from, to, groupBy: groupBy as GroupBy, filters, format };
}

/** The proposal thresholds with `minShown` from a query (a whole number from 1). */
export function parseThresholds(minShown: string | number | undefined): ProposalThresholds {
  if (minShown === undefined) return DEFAULT_THRESHOLDS;
  const n = typeof minShown === 'number' ? minShown : /^[0-9]{1,7}$/.test(minShown) ? Number(minShown) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new AnalyticsParamError('minShown must be a whole number from 1 to 1000000');
  return { ...DEFAULT_THRESHOLDS, minShown: n };
}

function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof AnalyticsParamError) throw errors.badRequest(err.message);
    throw err;
  }
}

export interface AnalyticsOptions {
  readonly db: Queryable;
  readonly now: () => Date;
  readonly publicBaseUrl: string;
  readonly policies: PolicyStore;
  readonly records: CardRecords;
  /**
   * The loaded guideline rules by id (titles for labels; status as it runs: only shadow rules are proposed for
   * promotion; version and checksum: what a promotion is made for).
   */
  readonly rules?: () => ReadonlyMap<
    string,
    { readonly title: string; readonly status: string; readonly version: string; readonly checksum: string }
  >;
  /** Where a promotion is stored (without it, promote-shadow proposals are not applicable). */
  readonly ruleStatus?: RuleStatusStore;
}

export const analyticsRoutes: FastifyPluginAsync<AnalyticsOptions> = async (app, options) => {
  const { db, now, publicBaseUrl, policies, records } = options;
  const deps = () => {
    const rules = options.rules?.();
    return {
      db,
      publicBaseUrl,
      policies: policies.policies(),
      ...(rules
        ? { labels: { rule: (id: string) => rules.get(id)?.title }, ruleStatus: (id: string) => rules.get(id)?.status }
        : {}),
      canPromote: options.ruleStatus !== undefined,
    };
  };

  app.get<{ Querystring: AnalyticsParams }>(
    '/analytics/alerts',
    { config: ANALYSTS, schema: AlertsQuery },
    async (req, reply) => {
      const q = checked(() => parseAnalyticsParams(req.query, now()));
      const result = await alertAnalytics(deps(), q);
      if (q.format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="alert-analytics-${q.from}-${q.to}.csv"`)
          .send(analyticsCsv(result));
      return result;
    },
  );

  app.get<{ Querystring: AnalyticsParams }>(
    '/analytics/proposals',
    { config: ANALYSTS, schema: ProposalsQuery },
    async (req) => {
      const q = checked(() => parseAnalyticsParams({ from: req.query.from, to: req.query.to }, now()));
      const thresholds = checked(() => parseThresholds(req.query.minShown));
      return proposals(deps(), q, thresholds);
    },
  );

  app.post<{ Params: { id: string }; Body: { note: string; from?: string; to?: string; minShown?: number } }>(
    '/analytics/proposals/:id/apply',
    { config: ANALYSTS, schema: { params: ApplyParams, body: ApplyBody } },
    async (req) => {
      const q = checked(() => parseAnalyticsParams({ from: req.body.from, to: req.body.to }, now()));
      const thresholds = checked(() => parseThresholds(req.body.minShown));
      const user = (req as { user?: UserIdentity }).user;
      const who = user?.subject ?? 'unknown';
      const note = req.body.note;
      try {
        const applied = await applyProposal(
          deps(),
          q,
          req.params.id,
          note,
          who,
          {
            policy: async (policy, interaction, indicator, detail) => {
              await policies.change(policy, interaction, { indicator, note }, who);
              await records.recordAdmin('policy-change', `user:${who}`, {
                policy,
                interaction,
                indicator,
                note,
                ...detail,
              });
            },
            ruleStatus: async (rule, status, detail) => {
              const loaded = options.rules?.().get(rule);
              if (!loaded || !options.ruleStatus) return undefined;
              const { version, checksum } = loaded;
              await options.ruleStatus.change({ id: rule, version, checksum }, { status, note }, who);
              await records.recordAdmin('rule-status-change', `user:${who}`, {
                rule,
                version,
                checksum,
                status,
                note,
                ...detail,
              });
              return { version };
            },
          },
          thresholds,
        );
        req.log.info({ proposal: applied.proposal, by: who }, 'analytics proposal applied');
        return { applied };
      } catch (err) {
        if (err instanceof ProposalError)
          throw err.reason === 'not-found'
            ? errors.notFound(`proposal ${req.params.id.slice(0, 200)}`)
            : errors.conflict(err.message);
        throw err;
      }
    },
  );
};
