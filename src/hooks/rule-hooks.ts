/**
 * Rules as this service's hooks see them: the hook names a rule file may list (and which of them review a whole
 * profile) come from the registry, and are handed to src/rules/ as data through the vocabulary.
 */
import { loadKnowledgeSources, type KnowledgeSources } from '../knowledge/load-sources.js';
import { ruleFileSchema, testCaseSchema, type RuleHooks } from '../rules/rule-schema.js';
import { buildVocabulary, type RuleVocabulary } from '../rules/vocabulary.js';
import { HOOK_NAMES, HOOKS } from './registry.js';

export const RULE_HOOKS: RuleHooks = {
  names: HOOK_NAMES,
  profile: HOOK_NAMES.filter((h) => HOOKS[h].mode === 'profile'),
};

/** A rule file, and one test case, as this service reads them. */
export const RuleFile = ruleFileSchema(RULE_HOOKS);
export const TestCase = testCaseSchema(RULE_HOOKS);

/** The vocabulary for a rules directory, from the knowledge base's source files (read once). */
export function vocabularyFor(knowledgeDir: string, rulesDir: string, sources?: KnowledgeSources): RuleVocabulary {
  return buildVocabulary(sources ?? loadKnowledgeSources(knowledgeDir), knowledgeDir, rulesDir, RULE_HOOKS);
}
