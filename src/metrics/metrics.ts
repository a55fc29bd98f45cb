/** Prometheus metrics (prom-client), one registry per app so tests and replicas do not share counters. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'service' | 'hook' | 'status'>;
  readonly cards: Counter<'service' | 'topic' | 'indicator'>;
  readonly errors: Counter<'kind'>;
  readonly incomplete: Counter<'service'>;
  /** Medications that could not be screened at all, by reason (the resolution: unknown-code, text-only, …). */
  readonly unscreenable: Counter<'reason'>;
  readonly feedback: Counter<'service' | 'outcome'>;
  readonly feedbackUnknownCards: Counter<'service'>;
  /** Calls answered without screening (service: a warning card; feedback: 429), by reason. */
  readonly shed: Counter<'reason'>;
  /** Service calls being screened right now (the protection plugin counts them in and out). */
  readonly inFlight: Gauge;
  /** Guideline rules switched off (for their CPU cost or repeated errors), by rule id and cause. */
  readonly ruleSwitchOffs: Counter<'rule' | 'cause'>;
  /**
   * Feedback items by what the card was about (the ledger's finding kind), outcome and override reason: bounded
   * label values only (see FEEDBACK_TOPICS and the reason codes the caller passes).
   */
  readonly feedbackOutcomes: Counter<'topic' | 'outcome' | 'reason'>;
}

/** The `topic` label values of cds_feedback_outcomes_total: the ledger's finding kinds, else `unknown`. */
export const FEEDBACK_TOPICS: ReadonlySet<string> = new Set([
  'interaction',
  'allergy',
  'allergy-not-checked',
  'dose',
  'duplicate',
  'guideline',
  'folded',
  'unscreenable',
  'display-mismatch',
  'incomplete',
  'not-performed',
]);

/** Values read when the metrics are scraped. */
export interface MetricSources {
  /** How many guideline rules are switched off right now. */
  readonly rulesSwitchedOff?: () => number;
  /** The record spool: records waiting for the database, the age of the oldest waiting, records set aside. */
  readonly spool?: () =>
    { readonly backlog: number; readonly ageSeconds: number; readonly setAside: number } | undefined;
}

export function createMetrics(sources: MetricSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics: Metrics = {
    registry,
    requestDuration: new Histogram({
      name: 'cds_service_request_duration_seconds',
      help: 'Time to answer a CDS service call, by service, hook and HTTP status',
      labelNames: ['service', 'hook', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.3, 0.5, 1, 2.5],
      registers: [registry],
    }),
    cards: new Counter({
      name: 'cds_cards_total',
      help: 'Cards returned, by service, topic code (none when a card has no topic) and indicator',
      labelNames: ['service', 'topic', 'indicator'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'cds_errors_total',
      help: 'Requests answered with an error status, and internal failures hidden behind a card, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    incomplete: new Counter({
      name: 'cds_screening_incomplete_total',
      help: 'Service calls whose screening was incomplete (data unavailable, a check failed or ran out of time)',
      labelNames: ['service'],
      registers: [registry],
    }),
    unscreenable: new Counter({
      name: 'cds_unscreenable_medications_total',
      help: 'Medications named on a "could not be screened" card, by reason: unknown-code (RxNorm code not in the knowledge base), text-only (no RxNorm code), unresolved-reference (Medication not readable), display-mismatch (display names another drug than a code the knowledge base is unsure of)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    feedback: new Counter({
      name: 'cds_feedback_total',
      help: 'Feedback items received (CDS Hooks feedback API), by service and outcome',
      labelNames: ['service', 'outcome'],
      registers: [registry],
    }),
    feedbackUnknownCards: new Counter({
      name: 'cds_feedback_unknown_cards_total',
      help: 'Feedback items naming a card uuid this service has no record of',
      labelNames: ['service'],
      registers: [registry],
    }),
    shed: new Counter({
      name: 'cds_shed_total',
      help: 'Calls answered without being processed: rate_limit (a client over CDS_RATE_LIMIT_PER_MINUTE) or overload (a call queued longer than CDS_SHED_QUEUE_MS, or too many calls in flight)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'cds_service_calls_in_flight',
      help: 'CDS service calls admitted and not yet answered',
      registers: [registry],
    }),
    ruleSwitchOffs: new Counter({
      name: 'cds_rule_switch_offs_total',
      help: 'Guideline rules switched off for a cool-down, by rule id and cause: cpu (mean CPU time over its last evaluations above its budget) or errors (it threw repeatedly)',
      labelNames: ['rule', 'cause'],
      registers: [registry],
    }),
    feedbackOutcomes: new Counter({
      name: 'cds_feedback_outcomes_total',
      help: "Feedback items by topic (what the card was about: the card ledger's finding kind, unknown for a card not in the ledger or not looked up in time), outcome (accepted, overridden) and override reason (this service's reason codes, other for another system's code, none without a reason)",
      labelNames: ['topic', 'outcome', 'reason'],
      registers: [registry],
    }),
  };
  const spool = sources.spool;
  if (spool) {
    new Gauge({
      name: 'cds_record_spool_backlog',
      help: 'Records in the local spool not yet in the database (a sealed segment counts as one until written)',
      registers: [registry],
      collect() {
        this.set(spool()?.backlog ?? 0);
      },
    });
    new Gauge({
      name: 'cds_record_spool_age_seconds',
      help: 'Age of the oldest spool segment waiting for the database (0 when none waits)',
      registers: [registry],
      collect() {
        this.set(spool()?.ageSeconds ?? 0);
      },
    });
    new Gauge({
      name: 'cds_records_set_aside',
      help: 'Records the database refused, set aside in DATA_DIR/spool/dead-letter.ndjson until `cds records replay`',
      registers: [registry],
      collect() {
        this.set(spool()?.setAside ?? 0);
      },
    });
  }
  const rulesSwitchedOff = sources.rulesSwitchedOff;
  if (rulesSwitchedOff)
    new Gauge({
      name: 'cds_rules_switched_off',
      help: 'Guideline rules switched off right now (each is named on every affected answer and on GET /rules)',
      registers: [registry],
      collect() {
        this.set(rulesSwitchedOff());
      },
    });
  return metrics;
}
