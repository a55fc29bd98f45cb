/**
 * Guideline rules for people: GET /rules (the loaded set with versions, status, switched-off rules and refused
 * edits) and GET /rules/shadow-report (what shadow rules would have shown). Both need a signed-in user.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors } from '../errors.js';
import type { Queryable } from '../infra/database.js';
import type { RuleRegistry } from '../rules/registry.js';
import { shadowReport } from '../rules/shadow-report.js';
import { ROLES } from '../auth/user-auth.js';
import { people } from './route-access.js';
import { isCalendarDate } from './query-values.js';

const ReportQuery = z
  .object({
    since: z.string().refine(isCalendarDate).optional(),
    until: z.string().refine(isCalendarDate).optional(),
    rule: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,79}$/)
      .optional(),
  })
  .strict();

export function registerRuleRoutes(app: FastifyInstance, registry: RuleRegistry, db: Queryable, now: () => Date): void {
  app.get('/rules', { config: { access: people(ROLES) } }, async () => ({
    rules: registry.list(),
    rejectedFiles: registry.rejectedFiles(),
  }));

  app.get('/rules/shadow-report', { config: { access: people(['informaticist', 'admin']) } }, async (req) => {
    const parsed = ReportQuery.safeParse(req.query ?? {});
    if (!parsed.success)
      throw errors.badRequest(
        'query parameters: since=YYYY-MM-DD, until=YYYY-MM-DD (real days of the years 0001 to 9999), rule=<rule id>',
      );
    const until = parsed.data.until ? new Date(`${parsed.data.until}T00:00:00Z`) : now();
    const since = parsed.data.since
      ? new Date(`${parsed.data.since}T00:00:00Z`)
      : new Date(until.getTime() - 30 * 86_400_000);
    if (!(since < until)) throw errors.badRequest('since must be before until');
    return shadowReport(db, { since, until, ...(parsed.data.rule ? { rule: parsed.data.rule } : {}) });
  });
}
