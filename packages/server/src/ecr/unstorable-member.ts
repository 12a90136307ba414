/**
 * Finding text storage cannot keep (NUL, unpaired surrogates) anywhere in a request, named as ECR
 * names members (`tags.1.member.Value`). A walk with its own stack, not recursion: however deep a
 * request nests, the walk cannot overflow the call stack.
 */
import { isUnstorableText } from "@berth/engine";

/** A value still to walk, or a member's key still to check (before that member's value). */
type Pending = readonly [kind: "value" | "key", value: unknown, path: string];

/** The member path of the first unstorable key or string, in document order, if any. */
export const unstorableMember = (request: unknown): string | undefined => {
  const pending: Pending[] = [["value", request, ""]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [kind, value, path] = next;
    if (typeof value === "string") {
      if (isUnstorableText(value)) return path;
      continue;
    }
    if (kind === "key" || typeof value !== "object" || value === null) continue;
    const children: Pending[] = [];
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) children.push(["value", item, `${path}.${i + 1}.member`]);
    } else {
      for (const [key, item] of Object.entries(value)) {
        const member = path === "" ? key : `${path}.${key}`;
        children.push(["key", key, member], ["value", item, member]);
      }
    }
    // Reversed onto the stack, so that the first child is walked first.
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i] as Pending);
  }
  return undefined;
};
