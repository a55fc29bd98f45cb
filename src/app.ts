/**
 * buildApp(config, deps) → a ready-to-listen Fastify instance. Everything the app depends on can be
 * passed in (tests pass a clock, a fetch, a knowledge store); defaults load the bundled knowledge base.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import type { Config } from './config.js';
import { isLoopbackUrl } from './infra/loopback.js';
import { errors } from './errors.js';
import { unauthenticatedDevelopment, type ClientAuthenticator, type ClientIdentity } from './auth/client-auth.js';
import { FailureThrottle } from './http/failure-throttle.js';
import { JwtClientAuthenticator } from './auth/jwt-authenticator.js';
import { createRedis } from './infra/redis.js';
import { FhirClient } from './fhir/fhir-client.js';
import type { ComponentHealth, KnowledgeStore } from './knowledge/knowledge-store.js';
import type { KnowledgeSources } from './knowledge/load-sources.js';
import { loadBundledKnowledge } from './knowledge/bundled-snapshot.js';
import { openKnowledge } from './knowledge/open-knowledge.js';
import path from 'node:path';
import { migrate, type Database } from './infra/database.js';
import { Recorder, type RecordsStatus } from './feedback/recorder.js';
import { CardRecords } from './feedback/card-records.js';
import { RecordRetention } from './feedback/retention.js';
import { createIdHasher, resolveIdHashSecret } from './feedback/id-hash.js';
import { feedbackRoutes } from './http/feedback.js';
import { auditRoutes } from './http/audit.js';
import { adminRoutes } from './http/admin.js';
import { PolicyStore } from './policy/policy-store.js';
import { UserAuthenticator } from './auth/user-auth.js';
import type { Policy } from './policy/policy-schema.js';
import { createMetrics } from './metrics/metrics.js';
import { registerJsonParser } from './http/json-body.js';
import { discoveryRoutes } from './http/discovery.js';
import { serviceRoutes } from './http/services.js';
import { healthRoutes } from './http/health.js';
import { consoleRoutes } from './http/console.js';
import { registerProtection, type ProtectionDeps } from './http/protection.js';
import { routeAccess } from './http/route-access.js';
import { registerErrorReplies, routingError, sendError, validationError } from './http/error-replies.js';
import { logRedactPaths } from './infra/log-redaction.js';
import { RuleRegistry } from './rules/registry.js';
import { RuleStatusStore } from './rules/rule-status-store.js';
import { vocabularyFor } from './hooks/rule-hooks.js';
import { LedgerRuleMemory } from './feedback/rule-memory.js';
import { ruleRoutes } from './http/rules.js';
import { analyticsRoutes } from './http/analytics.js';
import type { ServiceDeps } from './hooks/run-service.js';
import { warmUp, type WarmUpResult } from './hooks/warm-up.js';

export interface AppDeps {
  /** The database for records (and knowledge, unless `knowledge` is given); default: from the configuration. */
  readonly database?: Database;
  readonly sources?: KnowledgeSources;
  readonly knowledge?: KnowledgeStore;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  readonly authenticator?: ClientAuthenticator;
  /** Where log lines go (default stdout); tests pass a stream to read them. */
  readonly logStream?: NodeJS.WritableStream;
  /** Rate-limit clock and event-loop lag probe (tests pass their own; default: real ones). */
  readonly protection?: ProtectionDeps;
  /**
   * Guideline rules: how often RULES_DIR is rescanned, the CPU clock rules are charged by and the wall clock
   * recorded beside it (tests).
   */
  readonly rules?: {
    readonly pollMs?: number;
    readonly debounceMs?: number;
    readonly cpuClock?: () => number;
    readonly clock?: () => number;
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    recordsSettled(): Promise<RecordsStatus>;
    /** Screens representative calls (nothing recorded) so the first EHR call finds everything warm: before listen. */
    warmUp(): Promise<WarmUpResult>;
  }
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  // The bundled knowledge from its prebuilt snapshot when that matches the files (bundled-snapshot.ts).
  const bundled = deps.sources
    ? { sources: deps.sources, snapshot: undefined }
    : loadBundledKnowledge(config.knowledgeDir);
  const sources = bundled.sources;
  const policies = new Map<string, Policy>(sources.policies.map((p) => [p.id, p]));
  if (!policies.has(config.defaultPolicy))
    throw new Error(`CDS_POLICY ${config.defaultPolicy} is not defined in the knowledge base`);
  // The gauge of switched-off rules is read when scraped, from the rule registry made further down.
  const metrics = createMetrics({
    rulesSwitchedOff: () => ruleRegistry.switchedOff().length,
    spool: () => {
      if (!recorder) return undefined;
      const status = recorder.status();
      return { backlog: status.backlog, ageSeconds: recorder.backlogAgeSeconds(), setAside: status.deadLettered };
    },
  });
  // The one clock: request handling, the records and every time window compared in SQL read it.
  const now = deps.now ?? (() => new Date());

  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: logRedactPaths, censor: '[redacted]' },
      serializers: { req: requestForLog },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    bodyLimit: config.bodyLimitBytes,
    // EHR resource ids can be long (Epic-style ids exceed 200 characters), and so can service URLs.
    routerOptions: { maxParamLength: 500 },
    genReqId: () => crypto.randomUUID(),
    // Errors fastify raises before routing and route schemas' refusals are answered from the catalogue too.
    frameworkErrors: (error, _req, reply) => {
      const err = routingError(error);
      metrics.errors.inc({ kind: `http_${err.statusCode}` });
      void sendError(reply, err);
    },
    schemaErrorFormatter: validationError,
    // A request is validated as it was sent, never rewritten: no type coercion (`42` is not the string "42") and
    // no silent removal of properties a schema does not allow (they are refused).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });

  registerJsonParser(app, config.jsonMaxDepth);

  // The knowledge store and the database: given (tests), or opened from the configuration.
  const log = (message: string, detail?: Record<string, unknown>, level: 'info' | 'warn' = 'info') =>
    app.log[level](detail ?? {}, message);
  let knowledge: KnowledgeStore;
  let db: Database | undefined = deps.database;
  const closers: (() => Promise<void>)[] = [];
  if (deps.knowledge) {
    knowledge = deps.knowledge;
    if (db) await migrate(db, path.join(config.knowledgeDir, 'migrations'));
  } else {
    const opened = await openKnowledge(config, sources, log, now, bundled.snapshot?.databaseDir);
    knowledge = opened.store;
    db = opened.db;
    closers.push(() => opened.close());
  }

  // CDS client authentication: JWTs of trusted issuers, or (none configured) the loopback development mode.
  let authenticator = deps.authenticator ?? unauthenticatedDevelopment;
  if (!deps.authenticator && config.trustedIssuers.length > 0) {
    const redis = config.redisUrl ? createRedis({ url: config.redisUrl }) : undefined;
    if (redis) closers.push(async () => redis.disconnect());
    authenticator = new JwtClientAuthenticator({
      issuers: config.trustedIssuers,
      publicBaseUrl: config.publicBaseUrl,
      now,
      ...(redis ? { redis } : {}),
      redisPrefix: config.redisKeyPrefix,
      log: (reason, detail) => app.log.warn(detail, reason),
    });
  }
  // People (endpoints for informaticists, pharmacists, administrators): set up once the database is open.
  let users: UserAuthenticator | undefined;
  const throttle = new FailureThrottle(
    config.authFailuresPerMinute,
    deps.protection?.clock ?? (() => performance.now()),
  );
  // Rate limit and load shedding run on client routes right after authentication (they key on the issuer).
  const protection = registerProtection(app, { config, metrics }, deps.protection);
  // Before any route exists: every route added from here on is authenticated as its declared access says.
  await app.register(routeAccess, {
    client: async (req, reply) => {
      (req as { client?: ClientIdentity }).client = await throttle.guard(req, reply, () =>
        authenticator.authenticate(req),
      );
    },
    afterClient: protection.onRequest,
    people: (roles) => async (req, reply) => {
      await throttle.guard(req, reply, async () => {
        if (!users) throw errors.unauthorized();
        await users.require(req, roles);
      });
    },
  });

  // Policies: the files, with the site's changes from the database on top.
  const policyStore = new PolicyStore(policies, db, now);
  if (!(await policyStore.start()))
    log("the site's policy changes could not be read: the policy files apply until the database answers", {}, 'warn');
  closers.push(async () => policyStore.stop());

  // Guideline rules from RULES_DIR, reloaded when their files change (a broken edit keeps the previous version).
  const ruleRegistry = new RuleRegistry({
    dir: config.rulesDir,
    vocabulary: () => vocabularyFor(config.knowledgeDir, config.rulesDir, sources),
    log: (level, message, detail) => app.log[level](detail, message),
    now,
    onSwitchOff: (rule, cause) => metrics.ruleSwitchOffs.inc({ rule: rule.id, cause }),
    ...(deps.rules?.pollMs !== undefined ? { pollMs: deps.rules.pollMs } : {}),
    ...(deps.rules?.debounceMs !== undefined ? { debounceMs: deps.rules.debounceMs } : {}),
  });
  ruleRegistry.start();
  closers.push(async () => ruleRegistry.stop());
  // The site's rule status changes (a shadow rule promoted through the analytics), from the database.
  const ruleStatus = new RuleStatusStore(db, (overrides) => ruleRegistry.setStatusOverrides(overrides), now);
  if (!(await ruleStatus.start()))
    log(
      "the site's rule status changes could not be read: the rule files' statuses apply until the database answers",
      {},
      'warn',
    );
  closers.push(async () => ruleStatus.stop());
  let ruleMemory: LedgerRuleMemory | undefined;

  // Records (card ledger, feedback, audit) go through a local spool to the database.
  let records: CardRecords | undefined;
  let recorder: Recorder | undefined;
  if (db) {
    const hashId = createIdHasher(
      await resolveIdHashSecret(config.idHashSecret, db, path.resolve(config.dataDir, 'id-hash-secret')),
    );
    recorder = await Recorder.open({
      db,
      spoolDir: path.resolve(config.dataDir, 'spool'),
      flushIntervalMs: config.recordFlushMs,
      log,
    });
    recorder.start();
    records = new CardRecords(recorder, db, hashId, config.kbLookupTimeoutMs, now, log);
    ruleMemory = new LedgerRuleMemory(db, hashId, config.kbLookupTimeoutMs);
    // Written before the database closes: a clean stop loses no record.
    const started = records;
    closers.unshift(() => started.stop());
    // Old records are deleted in the background, each kind after its own retention.
    const retention = new RecordRetention(
      db,
      now,
      { recordDays: config.recordRetentionDays, auditDays: config.auditRetentionDays },
      log,
    );
    retention.start();
    closers.unshift(() => retention.stop());
  }
  app.addHook('onClose', async () => {
    for (const close of closers) await close();
  });
  // Resolves when everything recorded so far has reached the database: for readers of the records (and tests)
  // that must not poll.
  const recordsRef = records;
  app.decorate('recordsSettled', async () =>
    recordsRef
      ? recordsRef.settled()
      : {
          written: 0,
          backlog: 0,
          lost: 0,
          deadLettered: 0,
          lastError: undefined,
          spoolWrites: 0,
          spoolSyncs: 0,
          batches: 0,
        },
  );

  await app.register(cors, {
    origin: (origin, cb) => {
      if (!origin) return cb(null, true);
      const allowed = config.corsOrigins.length > 0 ? config.corsOrigins.includes(origin) : isLoopbackUrl(origin);
      cb(null, allowed);
    },
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type'],
    maxAge: 600,
  });

  registerErrorReplies(app, { bodyLimitBytes: config.bodyLimitBytes, metrics });

  await app.register(discoveryRoutes, { knowledge, enabledServices: config.enabledServices });
  const serviceDeps: ServiceDeps = {
    config,
    knowledge,
    policies: { get: (id) => policyStore.policies().get(id) },
    fhirClient: new FhirClient(config.fhirServerAllowlist, deps.fetch ?? fetch),
    now,
    reportError: (what, error) => app.log.error({ err: error }, `${what} failed`),
    ...(records ? { recall: records.recall, acknowledgements: records.acknowledgements } : {}),
    rules: {
      rules: ruleRegistry,
      ...(ruleMemory ? { memory: ruleMemory } : {}),
      ...(deps.rules?.cpuClock ? { cpuClock: deps.rules.cpuClock } : {}),
      ...(deps.rules?.clock ? { clock: deps.rules.clock } : {}),
    },
  };
  await app.register(serviceRoutes, { deps: serviceDeps, metrics, ...(records ? { records } : {}) });
  app.decorate('warmUp', async () => {
    const started = performance.now();
    const result = await warmUp(serviceDeps, sources);
    const detail = { rounds: result.rounds, ms: Math.round(performance.now() - started) };
    if (result.complete) app.log.info(detail, 'screening warmed up');
    else app.log.warn(detail, 'screening warmed up, but the last warm-up call was still incomplete');
    return result;
  });
  if (records && db) {
    await app.register(feedbackRoutes, { records, metrics, now, config });
    // Endpoints for people: user tokens, API keys, or loopback development mode.
    users = new UserAuthenticator({
      issuer: config.userIssuer,
      audience: config.userAudience,
      jwks: config.userJwks,
      rolesClaim: config.userRolesClaim,
      trustLoopback: config.trustLoopbackUsers,
      now,
      db,
      log: (reason, detail) => app.log.warn(detail, reason),
    });
    await app.register(auditRoutes, { db, publicBaseUrl: config.publicBaseUrl });
    await app.register(adminRoutes, {
      knowledge,
      db,
      records,
      policies: policyStore,
      rules: { registry: ruleRegistry, status: ruleStatus },
    });
    await app.register(ruleRoutes, { registry: ruleRegistry, db, now });
    await app.register(analyticsRoutes, {
      db,
      now,
      publicBaseUrl: config.publicBaseUrl,
      policies: policyStore,
      records,
      rules: () => new Map(ruleRegistry.list().map((r) => [r.id, r])),
      ruleStatus,
    });
    if (config.trustLoopbackUsers) app.log.warn(users.description);
    else app.log.info(users.description);
  }
  await app.register(healthRoutes, {
    knowledge,
    metrics,
    policies: [...policies.keys()],
    more: (): Record<string, ComponentHealth> => {
      const spool = recorder;
      const rules = ruleRegistry.health();
      return { ...(spool ? { records: recordsHealth(spool) } : {}), ...(rules ? { rules } : {}) };
    },
  });
  // The informaticist's console: a static page; its data comes from the endpoints for people above.
  await app.register(consoleRoutes);
  if (!deps.sources && !bundled.snapshot)
    app.log.info(
      'no prebuilt snapshot matches the knowledge-base files (npm run build prepares one): read them instead',
    );
  app.log.info(
    { knowledgeVersion: knowledge.snapshot().version.id, fromSnapshot: bundled.snapshot !== undefined },
    'knowledge base loaded',
  );
  app.log.warn(authenticator.description);
  return app;
}

/**
 * What a request log line says about the request: the method and the route pattern that matched, never the URL
 * (its query can carry credentials, its path patient or order ids), the host or the caller's address.
 */
function requestForLog(req: FastifyRequest): { method: string; route: string } {
  return { method: req.method, route: req.routeOptions?.url ?? '(no route)' };
}

/** The record spool as a health component: degraded while records cannot reach the database or were set aside. */
function recordsHealth(recorder: Recorder): ComponentHealth {
  const s = recorder.status();
  const detail = `${s.backlog} waiting, ${s.deadLettered} set aside, ${s.lost} not spooled`;
  return s.lastError || s.deadLettered > 0 || s.lost > 0
    ? { status: 'degraded', detail: `${detail}${s.lastError ? `; ${s.lastError}` : ''}` }
    : { status: 'up', detail };
}
