/**
 * Reading a rules directory: every rules/<id>.json compiled (compile-rule.ts), ids unique across files. Used at
 * start, by the hot reload, and by `cds rules lint` — one path, so what lint accepts is what the service runs.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { compileRule, type CompiledRule, type RuleProblem } from './compile-rule.js';
import type { RuleVocabulary } from './vocabulary.js';

export interface RulesDirResult {
  readonly files: readonly string[];
  readonly rules: readonly CompiledRule[];
  readonly problems: readonly RuleProblem[];
}

/**
 * The rule files of a directory: its top-level .json files, by name (none if the directory does not exist). A
 * symbolic link counts when it resolves to a file: a Kubernetes ConfigMap mounts each key as a link into a
 * `..data/` directory. A dangling link is skipped (the next scan sees it once its target exists).
 */
export function ruleFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (e) => e.name.endsWith('.json') && (e.isFile() || (e.isSymbolicLink() && resolvesToFile(path.join(dir, e.name)))),
    )
    .map((e) => path.join(dir, e.name))
    .sort();
}

function resolvesToFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function lintRulesDir(dir: string, vocabulary: RuleVocabulary): RulesDirResult {
  const files = ruleFiles(dir);
  const rules: CompiledRule[] = [];
  const problems: RuleProblem[] = [];
  const byId = new Map<string, string>();
  for (const file of files) {
    const result = compileRule(file, readFileSync(file, 'utf8'), vocabulary);
    problems.push(...result.problems);
    if (!result.rule) continue;
    const other = byId.get(result.rule.source.id);
    if (other) {
      problems.push({
        file,
        line: 0,
        path: 'id',
        message: `rule id "${result.rule.source.id}" is already used by ${path.basename(other)}`,
        severity: 'error',
      });
      continue;
    }
    byId.set(result.rule.source.id, file);
    rules.push(result.rule);
  }
  return { files, rules, problems };
}
