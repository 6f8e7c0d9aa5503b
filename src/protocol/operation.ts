/**
 * An operation of the Query protocol: its service, name, input shape and a plain function of
 * (context, input) that returns the result element's children (or nothing, for operations
 * whose AWS output is empty).
 */
import type { Caller } from "../principal.js";
import type { Deps } from "../deps.js";
import type { QueryService } from "./envelope.js";
import type { Input, InputShape } from "./shapes.js";
import type { XmlObject } from "./xml.js";

export interface OperationContext {
  readonly caller: Caller;
  readonly deps: Deps;
  readonly requestId: string;
}

export interface Operation {
  readonly service: QueryService;
  readonly action: string;
  readonly input: InputShape;
  run(ctx: OperationContext, input: Input): Promise<XmlObject | undefined>;
}

export const STS: QueryService = {
  name: "sts",
  version: "2011-06-15",
  namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
};
export const IAM: QueryService = {
  name: "iam",
  version: "2010-05-08",
  namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
};

/** The services this endpoint answers for, by credential-scope name (DESIGN.md decision 6). */
export const SERVICES: ReadonlyMap<string, QueryService> = new Map([
  [STS.name, STS],
  [IAM.name, IAM],
]);
