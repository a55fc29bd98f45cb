/**
 * The json-rules-engine Engines of one compiled rule: built when first needed and reused by every request after,
 * so a request pays for evaluating the rule's conditions, never for building them again. An Engine keeps a
 * running/finished status of its own between `run()` and the end of the run (a second run started on the same
 * Engine can see the first one's "finished" and skip the rule), so an Engine serves one evaluation at a time:
 * requests evaluating the rule at the same moment each take an idle one, and another is built only when none is
 * idle. The facts are handed to each run as functions (json-rules-engine computes each at most once per run).
 */
import { Engine, type EngineResult, type TopLevelCondition } from 'json-rules-engine';

export class RuleEngines {
  private readonly idle: Engine[] = [];
  private count = 0;

  constructor(
    private readonly name: string,
    private readonly conditions: TopLevelCondition,
  ) {}

  /** How many Engines were built for this rule version (one, unless evaluations overlapped). */
  get built(): number {
    return this.count;
  }

  async run(facts: Readonly<Record<string, () => unknown>>): Promise<EngineResult> {
    const engine = this.idle.pop() ?? this.build();
    try {
      return await engine.run(facts);
    } finally {
      this.idle.push(engine);
    }
  }

  private build(): Engine {
    const engine = new Engine([], { allowUndefinedFacts: false });
    engine.addRule({ name: this.name, conditions: this.conditions, event: { type: 'fired' } });
    this.count += 1;
    return engine;
  }
}
