/** GetCallerIdentity: needs no permission and cannot be denied (spec §3.2). */
import { principalArn, principalUserId } from "../principal.js";
import { STS, type Operation } from "../protocol/operation.js";

export const getCallerIdentity: Operation = {
  service: STS,
  action: "GetCallerIdentity",
  input: {},
  async run(ctx) {
    const { principal } = ctx.caller;
    // Element order as in the API reference example: Arn, UserId, Account (UNCONFIRMED, §3.2).
    return { Arn: principalArn(principal), UserId: principalUserId(principal), Account: principal.accountId };
  },
};
