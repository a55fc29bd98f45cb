/**
 * The service's configuration: every environment variable is read here, validated once, and frozen.
 * Nothing else in the code reads process.env.
 */
import { z } from 'zod';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseTrustedIssuers, type TrustedIssuer } from './auth/trusted-issuers.js';
import type { ServiceSettings } from './hooks/run-service.js';
import { SERVICES } from './hooks/services.js';
import type { KnowledgeSettings } from './knowledge/open-knowledge.js';
import { isLoopbackUrl } from './infra/loopback.js';
import { projectRoot } from './infra/project-root.js';

const commaList = z.string().transform((s) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0),
);

/** Services discovery lists only when CDS_SERVICES names them (offered "when-enabled" in src/hooks/services.ts). */
const OPTIONAL_SERVICES = SERVICES.filter((s) => s.offer === 'when-enabled').map((s) => s.id) as [string, ...string[]];

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A whole number ≥ 0 where 0 switches the feature off. */
const limitOrOff = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const EnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATA_DIR: z.string().min(1).default('./.data'),
  KNOWLEDGE_DIR: z.string().min(1).default(path.join(projectRoot, 'knowledge-base')),
  RULES_DIR: z.string().min(1).default(path.join(projectRoot, 'rules')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z.string().min(1).default('cds:'),
  KB_CACHE_MAX_ENTRIES: positiveInt(1_000_000),
  KB_CACHE_MAX_BYTES: positiveInt(64 * 1024 * 1024),
  KB_LOOKUP_TIMEOUT_MS: positiveInt(150),
  CDS_TRUSTED_ISSUERS: z.string().optional(),
  CDS_USER_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  CDS_USER_AUDIENCE: z.string().min(1).optional(),
  CDS_USER_JWKS: z.string().optional(),
  CDS_USER_ROLES_CLAIM: z.string().min(1).default('roles'),
  CDS_TRUST_LOOPBACK_USERS: z.enum(['true', 'false']).default('false'),
  CDS_AUTH_FAILURES_PER_MINUTE: limitOrOff(60),
  CDS_ID_HASH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  CDS_RECORD_FLUSH_MS: positiveInt(200),
  CDS_RECORD_RETENTION_DAYS: limitOrOff(365),
  // Six years: the retention HIPAA sets for a covered entity's required documentation (45 CFR 164.316(b)(2)(i)),
  // which is how long a site is commonly asked to show who accessed or acted on a record.
  CDS_AUDIT_RETENTION_DAYS: limitOrOff(6 * 365 + 2),
  CDS_PUBLIC_BASE_URL: z.string().url().optional(),
  CDS_FHIR_SERVER_ALLOWLIST: commaList.optional(),
  CDS_TIME_BUDGET_MS: positiveInt(250),
  CDS_BODY_LIMIT_BYTES: positiveInt(8 * 1024 * 1024),
  CDS_JSON_MAX_DEPTH: positiveInt(64),
  CDS_CORS_ORIGINS: commaList.optional(),
  CDS_SERVICES: commaList
    .pipe(z.array(z.enum(OPTIONAL_SERVICES, { message: `each entry must be one of ${OPTIONAL_SERVICES.join(', ')}` })))
    .optional(),
  CDS_POLICY: z.enum(['prescriber', 'pharmacist']).default('prescriber'),
  CDS_MAX_LAB_AGE_DAYS: positiveInt(90),
  CDS_RATE_LIMIT_PER_MINUTE: limitOrOff(0),
  CDS_SHED_QUEUE_MS: limitOrOff(100),
  CDS_SHED_MAX_IN_FLIGHT: limitOrOff(256),
  CDS_WORKERS: positiveInt(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Every setting; those the knowledge loader and the service call use are declared beside them. */
export interface Config extends KnowledgeSettings, ServiceSettings {
  readonly host: string;
  readonly port: number;
  /** Guideline rule files (rules/<id>.json), reloaded when they change. */
  readonly rulesDir: string;
  /** EHRs allowed to call, with their keys; empty → unauthenticated development mode (loopback only). */
  readonly trustedIssuers: readonly TrustedIssuer[];
  /** OIDC issuer of people's access tokens (informaticists, pharmacists, administrators); undefined → API keys only. */
  readonly userIssuer: string | undefined;
  readonly userAudience: string | undefined;
  /** Static keys of the user issuer; undefined → its OpenID configuration's jwks_uri. */
  readonly userJwks: { keys: Record<string, unknown>[] } | undefined;
  /** Dot path of the claim holding the roles (viewer, pharmacist, informaticist, admin). */
  readonly userRolesClaim: string;
  /** Development switch: a loopback caller without credentials is an administrator (never with CDS clients authenticated). */
  readonly trustLoopbackUsers: boolean;
  /** Failed authentication attempts per minute allowed per source address before 429; 0 = no limit. */
  readonly authFailuresPerMinute: number;
  /** Keys the hashes of patient, user and order ids; undefined → generated once into dataDir. */
  readonly idHashSecret: string | undefined;
  /** How often the service calls' records are fsynced in the local spool and written from it to the database. */
  readonly recordFlushMs: number;
  /** Days the card ledger, feedback, suppressions and shadow cards are kept; 0 = kept for ever. */
  readonly recordRetentionDays: number;
  /** Days the audit trail is kept; 0 = kept for ever. */
  readonly auditRetentionDays: number;
  /** URL prefixes the service may send a FHIR bearer token to. Empty = loopback servers only. */
  readonly fhirServerAllowlist: readonly string[];
  readonly bodyLimitBytes: number;
  readonly jsonMaxDepth: number;
  /** Browser origins allowed by CORS. Empty = loopback origins only. */
  readonly corsOrigins: readonly string[];
  readonly defaultPolicy: 'prescriber' | 'pharmacist';
  /** Service (and, separately, feedback) calls per minute allowed per client issuer; 0 = no limit. */
  readonly rateLimitPerMinute: number;
  /** A service call that waited longer than this before its screening began is shed (a warning card); 0 = never. */
  readonly shedQueueMs: number;
  /** Service calls are shed while this many are already in flight; 0 = never. */
  readonly shedMaxInFlight: number;
  /** Processes serving the port on this host (node:cluster); above 1 they share PostgreSQL and Redis. */
  readonly workers: number;
  readonly logLevel: string;
}

export class ConfigError extends Error {}

/**
 * Settings an earlier release read and this one does not, with what took their place. Set, they stop the start:
 * an operator who tuned one would otherwise believe it still in force.
 */
const RETIRED: Readonly<Record<string, string>> = {
  CDS_SHED_EVENT_LOOP_LAG_MS:
    'was replaced by CDS_SHED_QUEUE_MS (calls are shed on their own queueing time, not on event-loop lag): remove it and set CDS_SHED_QUEUE_MS if the default of 100 ms does not suit',
};

/** Reads and validates configuration from an environment (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Treat empty strings as unset, as shells and compose files often export VAR= for "no value".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const retired = Object.keys(RETIRED).filter((name) => name in cleaned);
  if (retired.length > 0) throw new ConfigError(retired.map((name) => `${name} ${RETIRED[name]}`).join('; '));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  for (const prefix of e.CDS_FHIR_SERVER_ALLOWLIST ?? []) {
    const problem = fhirServerPrefixProblem(prefix);
    if (problem) throw new ConfigError(`CDS_FHIR_SERVER_ALLOWLIST: ${prefix} ${problem}`);
  }
  for (const origin of e.CDS_CORS_ORIGINS ?? []) {
    const problem = originProblem(origin);
    if (problem) throw new ConfigError(`CDS_CORS_ORIGINS: ${origin} ${problem}`);
  }
  let trustedIssuers: TrustedIssuer[] = [];
  if (e.CDS_TRUSTED_ISSUERS) {
    try {
      trustedIssuers = parseTrustedIssuers(e.CDS_TRUSTED_ISSUERS);
    } catch (err) {
      throw new ConfigError(`CDS_TRUSTED_ISSUERS: ${(err as Error).message}`);
    }
  }
  let userJwks: { keys: Record<string, unknown>[] } | undefined;
  if (e.CDS_USER_JWKS) {
    try {
      const text = e.CDS_USER_JWKS.startsWith('@') ? readFileSync(e.CDS_USER_JWKS.slice(1), 'utf8') : e.CDS_USER_JWKS;
      userJwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).parse(JSON.parse(text));
    } catch (err) {
      throw new ConfigError(
        `CDS_USER_JWKS: must be a JWKS ({"keys": [...]}) as JSON or @file (${(err as Error).message.slice(0, 200)})`,
      );
    }
  }
  const trustLoopbackUsers = e.CDS_TRUST_LOOPBACK_USERS === 'true';
  if (trustLoopbackUsers && (trustedIssuers.length > 0 || !isLoopbackHost(e.HOST))) {
    // Behind a same-host TLS proxy or sidecar every remote caller arrives from loopback.
    throw new ConfigError(
      'CDS_TRUST_LOOPBACK_USERS: loopback callers can be trusted only in development (no CDS_TRUSTED_ISSUERS and a loopback HOST)',
    );
  }
  if (e.CDS_WORKERS > 1) {
    // Each worker is a process of its own: what they hold in common must live outside them.
    if (!e.DATABASE_URL)
      throw new ConfigError(
        'CDS_WORKERS: more than one worker needs DATABASE_URL (PostgreSQL): the embedded database can be opened by one process only',
      );
    if (!e.REDIS_URL)
      throw new ConfigError(
        "CDS_WORKERS: more than one worker needs REDIS_URL: a knowledge version activated on one worker reaches the others through it, and a client token's jti is used once across them",
      );
  }
  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    dataDir: e.DATA_DIR,
    knowledgeDir: e.KNOWLEDGE_DIR,
    rulesDir: e.RULES_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    kbCacheMaxEntries: e.KB_CACHE_MAX_ENTRIES,
    kbCacheMaxBytes: e.KB_CACHE_MAX_BYTES,
    kbLookupTimeoutMs: e.KB_LOOKUP_TIMEOUT_MS,
    trustedIssuers: Object.freeze(trustedIssuers),
    userIssuer: e.CDS_USER_ISSUER,
    userAudience: e.CDS_USER_AUDIENCE,
    userJwks,
    userRolesClaim: e.CDS_USER_ROLES_CLAIM,
    trustLoopbackUsers,
    authFailuresPerMinute: e.CDS_AUTH_FAILURES_PER_MINUTE,
    idHashSecret: e.CDS_ID_HASH_SECRET,
    recordFlushMs: e.CDS_RECORD_FLUSH_MS,
    recordRetentionDays: e.CDS_RECORD_RETENTION_DAYS,
    auditRetentionDays: e.CDS_AUDIT_RETENTION_DAYS,
    publicBaseUrl: (
      e.CDS_PUBLIC_BASE_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`
    ).replace(/\/+$/, ''),
    fhirServerAllowlist: Object.freeze([...(e.CDS_FHIR_SERVER_ALLOWLIST ?? [])]),
    timeBudgetMs: e.CDS_TIME_BUDGET_MS,
    bodyLimitBytes: e.CDS_BODY_LIMIT_BYTES,
    jsonMaxDepth: e.CDS_JSON_MAX_DEPTH,
    corsOrigins: Object.freeze([...(e.CDS_CORS_ORIGINS ?? [])]),
    defaultPolicy: e.CDS_POLICY,
    enabledServices: Object.freeze([...(e.CDS_SERVICES ?? [])]),
    maxLabAgeDays: e.CDS_MAX_LAB_AGE_DAYS,
    rateLimitPerMinute: e.CDS_RATE_LIMIT_PER_MINUTE,
    shedQueueMs: e.CDS_SHED_QUEUE_MS,
    shedMaxInFlight: e.CDS_SHED_MAX_IN_FLIGHT,
    workers: e.CDS_WORKERS,
    logLevel: e.LOG_LEVEL,
  });
}

/** True when HOST is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackUrl(`http://${host.includes(':') ? `[${host}]` : host}/`);
}

/** Why an allow-list entry would never match what its author meant (undefined: it is usable). */
function fhirServerPrefixProblem(prefix: string): string | undefined {
  let u: URL;
  try {
    u = new URL(prefix);
  } catch {
    return 'must be an https URL with a host (or a loopback URL)';
  }
  if (!u.hostname || (u.protocol !== 'https:' && !isLoopbackUrl(prefix)))
    return 'must be an https URL with a host (or a loopback URL)';
  // Entries are matched by origin and path: anything else in them would be silently ignored.
  if (u.hostname.includes('*')) return 'must name one host: wildcards are not supported, list each server';
  if (u.username || u.password) return 'must not contain a user name or password';
  if (u.search || u.hash || /[?#]/.test(prefix))
    return 'must not contain a query or fragment: entries are URL prefixes (origin and path)';
  return undefined;
}

/** Browsers send an Origin header as scheme://host[:port], and CORS compares it exactly. */
function originProblem(origin: string): string | undefined {
  let u: URL | undefined;
  try {
    u = new URL(origin);
  } catch {
    // reported below
  }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.hostname.includes('*') || u.origin !== origin) {
    return 'must be an origin as browsers send it: scheme://host[:port], with no path, trailing slash or wildcard (e.g. https://sandbox.cds-hooks.org)';
  }
  return undefined;
}
