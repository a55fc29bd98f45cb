/**
 * Guideline rules for people: GET /rules (the loaded set with versions, status, recent CPU cost, switch-offs with
 * their cause and end, and refused edits) and GET /rules/shadow-report (what shadow rules would have shown). Both need a signed-in user.
 */
import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../errors.js';
import type { Queryable } from '../infra/database.js';
import type { RuleRegistry } from '../rules/registry.js';
import { shadowReport } from '../rules/shadow-report.js';
import { ROLES } from '../auth/user-auth.js';
import { people } from './route-access.js';
import { isCalendarDate } from './query-values.js';

export interface RuleRouteOptions {
  readonly registry: RuleRegistry;
  readonly db: Queryable;
  readonly now: () => Date;
}

interface ReportQuery {
  since?: string;
  until?: string;
  rule?: string;
}

const ReportSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      since: { type: 'string' },
      until: { type: 'string' },
      rule: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,79}$' },
    },
  },
} as const;

const DATES =
  'query parameters: since=YYYY-MM-DD, until=YYYY-MM-DD (real days of the years 0001 to 9999), rule=<rule id>';

export const ruleRoutes: FastifyPluginAsync<RuleRouteOptions> = async (app, { registry, db, now }) => {
  app.get('/rules', { config: { access: people(ROLES) } }, async () => ({
    rules: registry.list(),
    rejectedFiles: registry.rejectedFiles(),
  }));

  app.get<{ Querystring: ReportQuery }>(
    '/rules/shadow-report',
    { config: { access: people(['informaticist', 'admin']) }, schema: ReportSchema },
    async (req) => {
      const q = req.query;
      // Real days only: `2026-02-30` parses in JavaScript (as March 2) but PostgreSQL refuses it.
      if ([q.since, q.until].some((d) => d !== undefined && !isCalendarDate(d))) throw errors.badRequest(DATES);
      const until = q.until ? new Date(`${q.until}T00:00:00Z`) : now();
      const since = q.since ? new Date(`${q.since}T00:00:00Z`) : new Date(until.getTime() - 30 * 86_400_000);
      if (!(since < until)) throw errors.badRequest('since must be before until');
      return shadowReport(db, { since, until, ...(q.rule ? { rule: q.rule } : {}) });
    },
  );
};
