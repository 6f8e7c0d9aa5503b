/**
 * A `&expression` argument (jmespath's `_Expression`). It travels through the evaluator as a
 * literal value, so only the functions that expect one (sort_by, max_by, min_by, map) see it.
 */
export class Expref {
  /** Enumerable, so the evaluator counts an expref as truthy, as Python does. */
  constructor(readonly node: unknown) {}

  toString(): string {
    return "<jmespath.visitor._Expression object>";
  }
}
