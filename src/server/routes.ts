/**
 * One port, both services (DESIGN.md decision 6): the credential scope's service and the Action
 * pick the operation, as AWS's separate sts and iam hosts would.
 */
import * as keys from "../iam/access-keys.js";
import { groupAttachments, roleAttachments, userAttachments } from "../iam/attachments.js";
import * as groups from "../iam/groups.js";
import { groupInlinePolicies, roleInlinePolicies, userInlinePolicies } from "../iam/inline-policies.js";
import * as policies from "../iam/managed-policies.js";
import * as simulator from "../iam/simulate.js";
import * as mfa from "../iam/mfa-devices.js";
import * as roleTags from "../iam/role-tags.js";
import * as roles from "../iam/roles.js";
import * as users from "../iam/users.js";
import type { Operation } from "../protocol/operation.js";
import { assumeRole } from "../sts/assume-role.js";
import { getCallerIdentity } from "../sts/get-caller-identity.js";
import { getSessionToken } from "../sts/get-session-token.js";

/** Every Query operation served (exported for the fuzz suite, which sends each of them). */
export const OPERATIONS: readonly Operation[] = [
  getCallerIdentity,
  getSessionToken,
  assumeRole,
  users.createUser,
  users.getUser,
  users.listUsers,
  users.updateUser,
  users.deleteUser,
  keys.createAccessKey,
  keys.listAccessKeys,
  keys.updateAccessKey,
  keys.deleteAccessKey,
  keys.getAccessKeyLastUsed,
  mfa.createVirtualMfaDevice,
  mfa.enableMfaDevice,
  mfa.resyncMfaDevice,
  mfa.deactivateMfaDevice,
  mfa.deleteVirtualMfaDevice,
  mfa.listMfaDevices,
  mfa.listVirtualMfaDevices,
  mfa.getMfaDevice,
  groups.createGroup,
  groups.getGroup,
  groups.listGroups,
  groups.deleteGroup,
  groups.addUserToGroup,
  groups.removeUserFromGroup,
  groups.listGroupsForUser,
  ...userInlinePolicies,
  ...groupInlinePolicies,
  ...userAttachments,
  ...groupAttachments,
  policies.createPolicy,
  policies.getPolicy,
  policies.listPolicies,
  policies.deletePolicy,
  policies.createPolicyVersion,
  policies.getPolicyVersion,
  policies.listPolicyVersions,
  policies.deletePolicyVersion,
  policies.setDefaultPolicyVersion,
  policies.listEntitiesForPolicy,
  simulator.simulatePrincipalPolicy,
  simulator.simulateCustomPolicy,
  roles.createRole,
  roles.getRole,
  roles.listRoles,
  roles.updateRole,
  roles.updateRoleDescription,
  roles.updateAssumeRolePolicy,
  roles.deleteRole,
  ...roleInlinePolicies,
  ...roleAttachments,
  roleTags.tagRole,
  roleTags.untagRole,
  roleTags.listRoleTags,
];

const byServiceAction = new Map(OPERATIONS.map((op) => [`${op.service.name}:${op.action}`, op]));

export function findOperation(service: string, action: string): Operation | undefined {
  return byServiceAction.get(`${service}:${action}`);
}
