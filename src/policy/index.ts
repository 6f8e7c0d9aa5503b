/**
 * The policy engine (DESIGN.md: pure — no I/O, no clock, no wire names): parse and validate a
 * document once, compile it once, evaluate it for each request against a context the caller
 * builds. Identity policies (parsePolicy) and role trust policies (parseTrustPolicy) share the
 * grammar, the compiler and the evaluator.
 */
export type { ConditionClause, ContextValue, Decision, Effect, PolicyDocument, Position, Principals, RequestContext, Statement, TrustCaller } from "./types.js";
export { PolicyParseError } from "./errors.js";
export { parsePolicy, type ParseOptions } from "./parse.js";
export { parseTrustPolicy, trustPolicyPrincipals } from "./trust.js";
export { policySize, hasPolicyCharacters, POLICY_CHARACTERS } from "./size.js";
export { compilePolicy, type CompiledPolicy, type CompiledStatement } from "./compile.js";
export { evaluate, type Evaluation, type EvaluationRequest, type MatchedStatement, type PolicyInput } from "./evaluate.js";
export { evaluateTrust, type TrustEvaluation } from "./trust-evaluate.js";
export type { Grant } from "./principals.js";
export { contextKeysOf } from "./context-keys.js";
export { parsePolicyDate } from "./dates.js";
