/** The reference model's own reading of ECR's policy documents and resource tag keys. */

/** ECR keeps resource tag keys starting with `aws:` for itself. */
export const isReservedTagKey = (key: string) => key.toLowerCase().startsWith("aws:");

/** The actions of an IAM policy document (a Version and statements with Effect, Principal, Action). */
const policyActions = (text: string): string[] | undefined => {
  try {
    const value = JSON.parse(text) as { Version?: unknown; Statement?: unknown };
    const statements = Array.isArray(value?.Statement) ? value.Statement : [value?.Statement];
    if (typeof value?.Version !== "string" || statements.length === 0) return undefined;
    const actions: string[] = [];
    for (const s of statements as Array<Record<string, unknown> | undefined>) {
      if ((s?.Effect !== "Allow" && s?.Effect !== "Deny") || s.Principal === undefined) return undefined;
      const action = s.Action;
      if (typeof action === "string") actions.push(action);
      else if (Array.isArray(action) && action.length > 0) actions.push(...action.map(String));
      else return undefined;
    }
    return actions;
  } catch {
    return undefined;
  }
};
const REGISTRY_ACTIONS = new Set([
  "ecr:createrepository",
  "ecr:replicateimage",
  "ecr:batchimportupstreamimage",
]);
export const isRepositoryPolicy = (text: string) => policyActions(text) !== undefined;
export const isRegistryPolicy = (text: string) =>
  policyActions(text)?.every((action) => REGISTRY_ACTIONS.has(action.toLowerCase())) ?? false;
