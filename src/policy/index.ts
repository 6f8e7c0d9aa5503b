/**
 * The policy engine (DESIGN.md: pure — no I/O, no clock, no wire names): parse and validate a
 * document once, compile it once, evaluate it for each request against a context the caller
 * builds.
 */
export type { ConditionClause, ContextValue, Decision, Effect, PolicyDocument, Position, RequestContext, Statement } from "./types.js";
export { PolicyParseError } from "./errors.js";
export { parsePolicy, type ParseOptions } from "./parse.js";
export { policySize, hasPolicyCharacters, POLICY_CHARACTERS } from "./size.js";
export { compilePolicy, type CompiledPolicy, type CompiledStatement } from "./compile.js";
export { evaluate, type Evaluation, type EvaluationRequest, type MatchedStatement, type PolicyInput } from "./evaluate.js";
export { contextKeysOf } from "./context-keys.js";
export { parsePolicyDate } from "./dates.js";
