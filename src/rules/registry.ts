/**
 * The rules the service runs, with hot reload: an edit under RULES_DIR takes effect once it compiles and passes
 * lint; a broken edit is rejected with a logged reason and the previous version keeps running. Edits are seen
 * through fs.watch and, in case a watch event is lost (network volumes, ConfigMap symlink swaps), a periodic rescan.
 *
 * Containment: a rule is switched off here for a 5-minute cool-down (or until its file changes), then runs again,
 * for one of two causes. Its cost: the mean CPU time of its last 20 evaluations is above its budget (CPU time,
 * never wall time, so a busy machine cannot switch a rule off; a window, never one evaluation, so one
 * garbage-collection pause cannot either). Or its errors: it threw 3 times within 10 minutes. A switch-off is an
 * event: logged at `error`, counted for alerting (`onSwitchOff`), and shown with its cause and end on GET /rules.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { compileRule, type CompiledRule, type RuleProblem } from './compile-rule.js';
import { ruleFiles } from './load-rules.js';
import { effectiveStatus, type RuleStatusOverride, type SiteRuleStatus } from './rule-status-store.js';
import type { RuleVocabulary } from './vocabulary.js';

export type RuleLog = (level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown>) => void;

/** What the guideline check needs of a rule set (the registry, or a fixed set in `cds rules test`). */
export interface GuidelineRules {
  /** Loaded rules that are not retired. */
  runnable(): readonly CompiledRule[];
  /**
   * Why a rule is switched off, as words that follow "switched off for a cool-down" ("after repeated failures (…)",
   * "because it used …"), or undefined while it runs (a cool-down that has passed switches it back on).
   */
  disabledReason(rule: CompiledRule): string | undefined;
  /** Counts an error of the rule; true when this error switched the rule off. */
  recordFailure(rule: CompiledRule, reason: string): boolean;
  /** Adds one evaluation's cost to the rule's window; true when the window switched the rule off. */
  recordCost(rule: CompiledRule, cost: EvaluationCost): boolean;
}

/** What one evaluation of a rule cost: the CPU time it is judged by, and the wall time it took (shown only). */
export interface EvaluationCost {
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** When a rule is switched off, and for how long. */
export interface ContainmentLimits {
  /** Errors within `windowMs` that switch a rule off. */
  readonly failures: number;
  readonly windowMs: number;
  /** Evaluations whose mean CPU time is compared with the rule's budget (the window is full before it counts). */
  readonly evaluations: number;
  /** How long a switched-off rule stays off before it runs again. */
  readonly coolDownMs: number;
}

export const DEFAULT_CONTAINMENT: ContainmentLimits = {
  failures: 3,
  windowMs: 10 * 60_000,
  evaluations: 20,
  coolDownMs: 5 * 60_000,
};

/** Why a rule was switched off: its CPU cost over the window, or repeated errors. */
export type SwitchOffCause = 'cpu' | 'errors';

/** One switch-off, as GET /rules shows it: its cause, the reason in words, since when and until when. */
export interface SwitchOff {
  readonly cause: SwitchOffCause;
  readonly reason: string;
  readonly at: string;
  readonly until: string;
}

export interface RuleStatus {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  /** The status the rule runs with: the file's, or the site's change made for this version and content. */
  readonly status: 'active' | 'shadow' | 'retired';
  /** The status written in the rule file. */
  readonly fileStatus: 'active' | 'shadow' | 'retired';
  /** Where `status` comes from: the file, or a site change (`siteChange`). */
  readonly statusFrom: 'file' | 'site';
  /**
   * The site's status change for this rule id: who, when, why, and the version it was made for. `inEffect` is false
   * when the file now holds another version or other content (the file's own status applies then).
   */
  readonly siteChange?: {
    readonly status: SiteRuleStatus;
    readonly version: string;
    readonly changedBy: string;
    readonly changedAt: string;
    readonly note: string;
    readonly inEffect: boolean;
  };
  readonly hooks: readonly string[];
  readonly topic: string;
  readonly owner: string;
  readonly review: string;
  readonly file: string;
  readonly checksum: string;
  readonly loadedAt: string;
  /** What its recent evaluations cost (the last `evaluations`, up to the window): the mean CPU and wall time. */
  readonly cost: {
    readonly cpuBudgetMs: number;
    readonly evaluations: number;
    readonly meanCpuMs: number;
    readonly meanWallMs: number;
  };
  /** Switched off now: why, since when, and when it runs again. */
  readonly disabled?: SwitchOff;
  /** How many times this rule id was switched off since the service started, and the last time (ended or not). */
  readonly switchOffs: { readonly count: number; readonly last?: SwitchOff };
  /** The last edit of this rule's file that was refused (the version shown keeps running). */
  readonly rejectedEdit?: { readonly at: string; readonly problems: readonly string[] };
}

export interface RegistryOptions {
  readonly dir: string;
  /** Builds the vocabulary (called again when rules/reference/ changes). */
  readonly vocabulary: () => RuleVocabulary;
  readonly log: RuleLog;
  readonly now?: () => Date;
  /** Rescan period (default 5 s); 0 = watch events only. */
  readonly pollMs?: number;
  /** Quiet time after a watch event before rescanning (editors write in several steps). */
  readonly debounceMs?: number;
  /** What switches a rule off, and the cool-down (default: 20 evaluations, 3 errors within 10 minutes, 5 minutes off). */
  readonly containment?: ContainmentLimits;
  /** Told of every switch-off (the app counts them for alerting). */
  readonly onSwitchOff?: (rule: { readonly id: string; readonly version: string }, cause: SwitchOffCause) => void;
}

interface Loaded {
  readonly rule: CompiledRule;
  readonly loadedAt: string;
}

export class RuleRegistry implements GuidelineRules {
  private vocabulary: RuleVocabulary;
  private byFile = new Map<string, Loaded>();
  private snapshot: readonly CompiledRule[] = [];
  /** Rules switched off now, by rule checksum. */
  private readonly disabled = new Map<string, SwitchOff & { readonly untilMs: number }>();
  /** Switch-offs since start, by rule id (kept across versions and after the rule runs again). */
  private readonly history = new Map<string, { count: number; last: SwitchOff }>();
  /** Recent error times (ms) of rules that run, by rule checksum. */
  private readonly failures = new Map<string, number[]>();
  /** The costs of the latest evaluations (at most the window), by rule checksum. */
  private readonly costs = new Map<string, EvaluationCost[]>();
  private readonly limits: ContainmentLimits;
  private readonly rejected = new Map<string, { at: string; problems: string[]; checksum: string }>();
  private referenceChecksum = '';
  /** The site's status changes, by rule id (src/rules/rule-status-store.ts). */
  private overrides = new Map<string, RuleStatusOverride>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: RegistryOptions) {
    this.now = options.now ?? (() => new Date());
    this.limits = options.containment ?? DEFAULT_CONTAINMENT;
    this.vocabulary = options.vocabulary();
    this.referenceChecksum = this.referenceState();
    this.rescan(true);
  }

  /** Starts watching the directory (and the periodic rescan). */
  start(): void {
    const { dir } = this.options;
    if (existsSync(dir)) {
      try {
        this.watcher = watch(dir, { persistent: false }, () => this.scheduleRescan());
        this.watcher.on('error', (err) =>
          this.options.log('warn', 'rules directory watch failed; relying on the periodic rescan', {
            reason: err.message,
          }),
        );
      } catch (err) {
        this.options.log('warn', 'rules directory cannot be watched; relying on the periodic rescan', {
          reason: (err as Error).message,
        });
      }
    }
    const poll = this.options.pollMs ?? 5000;
    if (poll > 0) {
      this.timer = setInterval(() => this.rescan(false), poll);
      this.timer.unref();
    }
  }

  stop(): void {
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.debounce);
  }

  runnable(): readonly CompiledRule[] {
    return this.snapshot;
  }

  /**
   * Applies the site's status changes: a rule whose change was made for its loaded version and content runs with
   * that status from the next request on (the files are not touched).
   */
  setStatusOverrides(overrides: readonly RuleStatusOverride[]): void {
    const next = new Map(overrides.map((o) => [o.ruleId, o]));
    // The store re-reads every few seconds: the running set is rebuilt only when a change differs.
    const same =
      next.size === this.overrides.size &&
      [...next].every(([id, o]) => JSON.stringify(this.overrides.get(id)) === JSON.stringify(o));
    this.overrides = next;
    if (!same) this.rebuildSnapshot();
  }

  /** The rule as it runs: its own compilation, with the site's status when a change applies to it. */
  private effective(rule: CompiledRule): CompiledRule {
    const status = this.statusOf(rule);
    return status === rule.source.status ? rule : { ...rule, source: { ...rule.source, status } };
  }

  private statusOf(rule: CompiledRule): 'active' | 'shadow' | 'retired' {
    return effectiveStatus(
      { status: rule.source.status, version: rule.source.version, checksum: rule.checksum },
      this.overrides.get(rule.source.id),
    );
  }

  private rebuildSnapshot(): void {
    this.snapshot = Object.freeze(
      this.all()
        .map((r) => this.effective(r))
        .filter((r) => r.source.status !== 'retired'),
    );
  }

  all(): readonly CompiledRule[] {
    return [...this.byFile.values()].map((l) => l.rule);
  }

  disabledReason(rule: CompiledRule): string | undefined {
    const off = this.disabled.get(rule.checksum);
    if (!off) return undefined;
    if (this.now().getTime() < off.untilMs)
      return off.cause === 'errors'
        ? `after repeated failures (the last: it ${off.reason})`
        : `because it ${off.reason}`;
    // The cool-down is over: the rule runs again, with a clean error count and cost window.
    this.disabled.delete(rule.checksum);
    this.failures.delete(rule.checksum);
    this.costs.delete(rule.checksum);
    this.options.log('warn', 'guideline rule switched back on after its cool-down', {
      rule: rule.source.id,
      version: rule.source.version,
      offSince: off.at,
    });
    return undefined;
  }

  recordFailure(rule: CompiledRule, reason: string): boolean {
    if (this.disabledReason(rule) !== undefined) return false;
    const nowMs = this.now().getTime();
    const recent = [...(this.failures.get(rule.checksum) ?? []).filter((t) => t > nowMs - this.limits.windowMs), nowMs];
    this.failures.set(rule.checksum, recent);
    const detail = { failures: recent.length, windowMinutes: this.limits.windowMs / 60_000 };
    if (recent.length < this.limits.failures) {
      this.options.log('warn', 'guideline rule failed', {
        rule: rule.source.id,
        version: rule.source.version,
        reason,
        ...detail,
      });
      return false;
    }
    this.switchOff(rule, 'errors', reason, detail);
    return true;
  }

  recordCost(rule: CompiledRule, cost: EvaluationCost): boolean {
    if (this.disabledReason(rule) !== undefined) return false;
    const window = [...(this.costs.get(rule.checksum) ?? []), cost].slice(-this.limits.evaluations);
    this.costs.set(rule.checksum, window);
    const meanCpuMs = mean(window.map((c) => c.cpuMs));
    if (window.length < this.limits.evaluations || meanCpuMs <= rule.timeSliceMs) return false;
    const shown = round(meanCpuMs);
    this.switchOff(
      rule,
      'cpu',
      `used ${shown} ms of CPU time per evaluation on average over its last ${window.length} evaluations, above its ${rule.timeSliceMs} ms budget`,
      { meanCpuMs: shown, cpuBudgetMs: rule.timeSliceMs, evaluations: window.length },
    );
    return true;
  }

  /** The switch-off event: the rule stops for the cool-down, logged, counted, and remembered for GET /rules. */
  private switchOff(rule: CompiledRule, cause: SwitchOffCause, reason: string, detail: Record<string, unknown>): void {
    const nowMs = this.now().getTime();
    const untilMs = nowMs + this.limits.coolDownMs;
    const off: SwitchOff = { cause, reason, at: new Date(nowMs).toISOString(), until: new Date(untilMs).toISOString() };
    this.disabled.set(rule.checksum, { ...off, untilMs });
    this.failures.delete(rule.checksum);
    this.costs.delete(rule.checksum);
    const seen = this.history.get(rule.source.id);
    this.history.set(rule.source.id, { count: (seen?.count ?? 0) + 1, last: off });
    this.options.log('error', 'guideline rule switched off', {
      rule: rule.source.id,
      version: rule.source.version,
      cause,
      reason,
      ...detail,
      until: off.until,
    });
    this.options.onSwitchOff?.({ id: rule.source.id, version: rule.source.version }, cause);
  }

  /** Ids of the rules switched off now. */
  switchedOff(): string[] {
    return this.all()
      .filter((r) => this.disabledReason(r) !== undefined)
      .map((r) => r.source.id);
  }

  /** The loaded set for GET /rules, by id. */
  list(): RuleStatus[] {
    return [...this.byFile.entries()]
      .map(([file, { rule, loadedAt }]) => {
        const r = rule.source;
        const off = this.disabledReason(rule) !== undefined ? this.disabled.get(rule.checksum) : undefined;
        const disabled = off ? { cause: off.cause, reason: off.reason, at: off.at, until: off.until } : undefined;
        const history = this.history.get(r.id);
        const window = this.costs.get(rule.checksum) ?? [];
        const rejected = this.rejected.get(file);
        const status = this.statusOf(rule);
        const site = this.overrides.get(r.id);
        const inEffect =
          site !== undefined &&
          r.status !== 'retired' &&
          site.ruleVersion === r.version &&
          site.ruleChecksum === rule.checksum;
        return {
          id: r.id,
          version: r.version,
          title: r.title,
          status,
          fileStatus: r.status,
          statusFrom: inEffect ? ('site' as const) : ('file' as const),
          ...(site
            ? {
                siteChange: {
                  status: site.status,
                  version: site.ruleVersion,
                  changedBy: site.changedBy,
                  changedAt: site.changedAt,
                  note: site.note,
                  inEffect,
                },
              }
            : {}),
          hooks: r.hooks,
          topic: r.topic,
          owner: r.owner,
          review: r.review.status,
          file: path.basename(file),
          checksum: rule.checksum,
          loadedAt,
          cost: {
            cpuBudgetMs: rule.timeSliceMs,
            evaluations: window.length,
            meanCpuMs: round(mean(window.map((c) => c.cpuMs))),
            meanWallMs: round(mean(window.map((c) => c.wallMs))),
          },
          ...(disabled ? { disabled } : {}),
          switchOffs: history ? { count: history.count, last: history.last } : { count: 0 },
          ...(rejected ? { rejectedEdit: { at: rejected.at, problems: rejected.problems } } : {}),
        };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Files whose edits were refused and that hold no running rule (a new file that never compiled). */
  rejectedFiles(): { file: string; at: string; problems: readonly string[] }[] {
    return [...this.rejected.entries()]
      .filter(([file]) => !this.byFile.has(file))
      .map(([file, r]) => ({ file: path.basename(file), at: r.at, problems: r.problems }));
  }

  /** The rules as a /health/ready component (absent when RULES_DIR holds no rule files). */
  health(): { status: 'up' | 'degraded'; detail: string } | undefined {
    const all = this.all();
    const refused = this.rejectedFiles().length;
    if (all.length === 0 && refused === 0) return undefined;
    const count = (s: string) => all.filter((r) => this.statusOf(r) === s).length;
    const off = this.switchedOff();
    const detail =
      `${all.length} rules (${count('active')} active, ${count('shadow')} shadow, ${count('retired')} retired)` +
      (off.length > 0 ? `; switched off: ${off.join(', ')}` : '') +
      (refused > 0 ? `; ${refused} rule file(s) refused` : '');
    return { status: off.length > 0 || refused > 0 ? 'degraded' : 'up', detail };
  }

  private scheduleRescan(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.rescan(false), this.options.debounceMs ?? 100);
    this.debounce.unref();
  }

  /** Re-reads the directory: changed files are compiled and swapped in, or refused; deleted files are dropped. */
  rescan(initial = false): void {
    try {
      this.rescanUnsafe(initial);
    } catch (err) {
      this.options.log('error', 'rules directory rescan failed; the loaded rules keep running', {
        reason: (err as Error).message,
      });
    }
  }

  private rescanUnsafe(initial: boolean): void {
    const reference = this.referenceState();
    let forceAll = false;
    if (reference !== this.referenceChecksum) {
      this.vocabulary = this.options.vocabulary();
      this.referenceChecksum = reference;
      forceAll = true;
    }
    const files = ruleFiles(this.options.dir);
    const present = new Set(files);
    let changed = false;
    for (const [file, { rule }] of this.byFile) {
      if (present.has(file)) continue;
      this.byFile.delete(file);
      this.rejected.delete(file);
      changed = true;
      this.options.log('info', 'guideline rule removed (its file was deleted)', {
        rule: rule.source.id,
        version: rule.source.version,
        file: path.basename(file),
      });
    }
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // deleted or being replaced between listing and reading: the next scan sees it
      }
      const checksum = createHash('sha256').update(text).digest('hex');
      const loaded = this.byFile.get(file);
      if (loaded?.rule.checksum === checksum && this.rejected.has(file)) {
        // The refused edit was undone: the file holds what runs again, so there is no refused edit to report.
        this.rejected.delete(file);
        this.options.log('info', 'guideline rule file restored to the running version', {
          rule: loaded.rule.source.id,
          version: loaded.rule.source.version,
          file: path.basename(file),
        });
        if (!forceAll) continue;
      }
      if (!forceAll && (loaded?.rule.checksum === checksum || this.rejected.get(file)?.checksum === checksum)) continue;
      if (forceAll && loaded?.rule.checksum === checksum && !this.rejected.has(file)) {
        // Recheck against the new reference lists; keep the rule if it still compiles.
        const recheck = compileRule(file, text, this.vocabulary);
        if (recheck.rule) continue;
      }
      const result = compileRule(file, text, this.vocabulary);
      const refusal = result.rule ? this.refusal(file, result.rule, loaded?.rule, initial) : undefined;
      if (!result.rule || refusal) {
        const problems = refusal ? [refusal] : result.problems.filter((p) => p.severity === 'error').map(describe);
        this.rejected.set(file, { at: this.now().toISOString(), problems, checksum });
        this.options.log(
          loaded ? 'warn' : 'error',
          loaded ? 'guideline rule edit rejected; the previous version keeps running' : 'guideline rule file rejected',
          {
            file: path.basename(file),
            ...(loaded ? { running: loaded.rule.key } : {}),
            problems: problems.slice(0, 10),
          },
        );
        continue;
      }
      this.byFile.set(file, { rule: result.rule, loadedAt: this.now().toISOString() });
      this.rejected.delete(file);
      changed = true;
      this.options.log('info', loaded ? 'guideline rule reloaded' : 'guideline rule loaded', {
        rule: result.rule.source.id,
        version: result.rule.source.version,
        status: result.rule.source.status,
        ...(loaded ? { previous: loaded.rule.source.version } : {}),
      });
    }
    if (changed || initial) {
      this.rebuildSnapshot();
      const live = new Set(this.all().map((r) => r.checksum));
      for (const key of [...this.disabled.keys()]) if (!live.has(key)) this.disabled.delete(key);
      for (const key of [...this.failures.keys()]) if (!live.has(key)) this.failures.delete(key);
      for (const key of [...this.costs.keys()]) if (!live.has(key)) this.costs.delete(key);
    }
  }

  /** Why a compiled rule may not replace what runs: a duplicate id, or changed content under the same version. */
  private refusal(
    file: string,
    rule: CompiledRule,
    previous: CompiledRule | undefined,
    initial: boolean,
  ): string | undefined {
    for (const [other, { rule: r }] of this.byFile) {
      if (other !== file && r.source.id === rule.source.id)
        return `rule id "${rule.source.id}" is already loaded from ${path.basename(other)}`;
    }
    if (
      !initial &&
      previous &&
      previous.source.id === rule.source.id &&
      previous.source.version === rule.source.version
    ) {
      return `version ${rule.source.version} of "${rule.source.id}" is already running with different content: give the edit a new version`;
    }
    return undefined;
  }

  private referenceState(): string {
    const dir = path.join(this.options.dir, 'reference');
    if (!existsSync(dir)) return '';
    const hash = createHash('sha256');
    for (const name of readdirSync(dir)
      .filter((f) => f.endsWith('.csv'))
      .sort())
      hash.update(name).update(readFileSync(path.join(dir, name)));
    return hash.digest('hex');
  }
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const round = (ms: number) => Math.round(ms * 100) / 100;

export function describe(p: RuleProblem): string {
  return `${p.line > 0 ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`;
}
