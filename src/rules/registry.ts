/**
 * The rules the service runs, with hot reload: an edit under RULES_DIR takes effect once it compiles and passes
 * lint; a broken edit is rejected with a logged reason and the previous version keeps running. A rule that throws
 * or overruns its time slice 3 times within 10 minutes is switched off here for a 5-minute cool-down (or until its
 * file changes), then runs again: one garbage-collection pause or one odd request cannot switch a safety rule off
 * for everyone, and a rule that keeps failing is switched off again after its next 3 failures. Edits are seen through
 * fs.watch and, in case a watch event is lost (network volumes, ConfigMap symlink swaps), a periodic rescan.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { compileRule, type CompiledRule, type RuleProblem } from './compile-rule.js';
import { ruleFiles } from './load-rules.js';
import type { RuleVocabulary } from './vocabulary.js';

export type RuleLog = (level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown>) => void;

/** What the guideline check needs of a rule set (the registry, or a fixed set in `cds rules test`). */
export interface GuidelineRules {
  /** Loaded rules that are not retired. */
  runnable(): readonly CompiledRule[];
  /** Why a rule is switched off, or undefined while it runs (a cool-down that has passed switches it back on). */
  disabledReason(rule: CompiledRule): string | undefined;
  /** Counts a failure (exception or overrun); true when this failure switched the rule off. */
  recordFailure(rule: CompiledRule, reason: string): boolean;
}

/** When failures switch a rule off, and for how long. */
export interface ContainmentLimits {
  /** Failures within `windowMs` that switch a rule off. */
  readonly failures: number;
  readonly windowMs: number;
  /** How long a switched-off rule stays off before it runs again. */
  readonly coolDownMs: number;
}

export const DEFAULT_CONTAINMENT: ContainmentLimits = { failures: 3, windowMs: 10 * 60_000, coolDownMs: 5 * 60_000 };

export interface RuleStatus {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly status: 'active' | 'shadow' | 'retired';
  readonly hooks: readonly string[];
  readonly topic: string;
  readonly owner: string;
  readonly review: string;
  readonly file: string;
  readonly checksum: string;
  readonly loadedAt: string;
  /** Switched off after repeated failures: why (the last failure), since when, and when it runs again. */
  readonly disabled?: {
    readonly reason: string;
    readonly at: string;
    readonly until: string;
    readonly failures: number;
  };
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
  /** Failures that switch a rule off, and the cool-down (default: 3 within 10 minutes, 5 minutes off). */
  readonly containment?: ContainmentLimits;
}

interface Loaded {
  readonly rule: CompiledRule;
  readonly loadedAt: string;
}

export class RuleRegistry implements GuidelineRules {
  private vocabulary: RuleVocabulary;
  private byFile = new Map<string, Loaded>();
  private snapshot: readonly CompiledRule[] = [];
  private readonly disabled = new Map<
    string,
    { reason: string; at: string; until: string; untilMs: number; failures: number }
  >();
  /** Recent failure times (ms) of rules that run, by rule checksum. */
  private readonly failures = new Map<string, number[]>();
  private readonly limits: ContainmentLimits;
  private readonly rejected = new Map<string, { at: string; problems: string[]; checksum: string }>();
  private referenceChecksum = '';
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

  all(): readonly CompiledRule[] {
    return [...this.byFile.values()].map((l) => l.rule);
  }

  disabledReason(rule: CompiledRule): string | undefined {
    const off = this.disabled.get(rule.checksum);
    if (!off) return undefined;
    if (this.now().getTime() < off.untilMs) return off.reason;
    // The cool-down is over: the rule runs again, with a clean failure count.
    this.disabled.delete(rule.checksum);
    this.failures.delete(rule.checksum);
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
    const detail = {
      rule: rule.source.id,
      version: rule.source.version,
      reason,
      failures: recent.length,
      windowMinutes: this.limits.windowMs / 60_000,
    };
    if (recent.length < this.limits.failures) {
      this.options.log('warn', 'guideline rule failed', detail);
      return false;
    }
    this.failures.delete(rule.checksum);
    const until = new Date(nowMs + this.limits.coolDownMs);
    this.disabled.set(rule.checksum, {
      reason,
      at: new Date(nowMs).toISOString(),
      until: until.toISOString(),
      untilMs: until.getTime(),
      failures: recent.length,
    });
    this.options.log('error', 'guideline rule switched off', { ...detail, until: until.toISOString() });
    return true;
  }

  /** The loaded set for GET /rules, by id. */
  list(): RuleStatus[] {
    return [...this.byFile.entries()]
      .map(([file, { rule, loadedAt }]) => {
        const r = rule.source;
        const off = this.disabledReason(rule) !== undefined ? this.disabled.get(rule.checksum) : undefined;
        const disabled = off ? { reason: off.reason, at: off.at, until: off.until, failures: off.failures } : undefined;
        const rejected = this.rejected.get(file);
        return {
          id: r.id,
          version: r.version,
          title: r.title,
          status: r.status,
          hooks: r.hooks,
          topic: r.topic,
          owner: r.owner,
          review: r.review.status,
          file: path.basename(file),
          checksum: rule.checksum,
          loadedAt,
          ...(disabled ? { disabled } : {}),
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
    const count = (s: string) => all.filter((r) => r.source.status === s).length;
    const off = all.filter((r) => this.disabledReason(r) !== undefined).map((r) => r.source.id);
    const detail =
      `${all.length} rules (${count('active')} active, ${count('shadow')} shadow, ${count('retired')} retired)` +
      (off.length > 0 ? `; switched off after repeated failures: ${off.join(', ')}` : '') +
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
      this.snapshot = Object.freeze(this.all().filter((r) => r.source.status !== 'retired'));
      const live = new Set(this.all().map((r) => r.checksum));
      for (const key of [...this.disabled.keys()]) if (!live.has(key)) this.disabled.delete(key);
      for (const key of [...this.failures.keys()]) if (!live.has(key)) this.failures.delete(key);
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

export function describe(p: RuleProblem): string {
  return `${p.line > 0 ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`;
}
