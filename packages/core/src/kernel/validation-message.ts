/**
 * io-ts errors in ECR's words: `N validation error(s) detected: Value 'v' at 'path' failed to satisfy
 * constraint: Member must …; …`. Paths name list items as ECR does (`imageIds.1.member.imageTag`).
 */
import type * as t from "io-ts";
import { base64Prefix } from "./base64-length.js";

/** Longer values are cut: a 20 MiB layer part has no place in an error message. */
const MAX_VALUE_LENGTH = 100;

/**
 * `JSON.stringify(value)` as far as its first `budget` characters and a little past them: the
 * rendering stops once it has more than it can show, so a value of a million members costs no more
 * than a small one, and nesting cannot recurse deeper than the budget (each level writes a bracket).
 */
const jsonPrefix = (value: unknown, budget: number): string => {
  const parts: string[] = [];
  let length = 0;
  const write = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  const render = (item: unknown): void => {
    if (typeof item === "string") {
      write(JSON.stringify(item.slice(0, budget + 1)));
      return;
    }
    // A blob decoded at the edge is shown as the base64 it came as (never walked byte by byte).
    if (item instanceof Uint8Array) {
      write(JSON.stringify(base64Prefix(item, budget + 1)));
      return;
    }
    if (typeof item !== "object" || item === null) {
      write(JSON.stringify(item) ?? "null");
      return;
    }
    const array = Array.isArray(item);
    write(array ? "[" : "{");
    let first = true;
    for (const key of array ? item.keys() : Object.keys(item)) {
      if (length > budget) return;
      const member = (item as Record<string | number, unknown>)[key];
      if (!array && (member === undefined || typeof member === "function")) continue;
      if (!first) write(",");
      first = false;
      if (!array) write(`${JSON.stringify(key)}:`);
      render(member === undefined || typeof member === "function" ? null : member);
    }
    write(array ? "]" : "}");
  };
  render(value);
  return parts.join("");
};

const renderValue = (value: unknown): string => {
  if (value === undefined || value === null) return "null";
  const text =
    value instanceof Uint8Array
      ? base64Prefix(value, MAX_VALUE_LENGTH + 1) // a decoded blob, shown as the text it came as
      : typeof value === "object"
        ? jsonPrefix(value, MAX_VALUE_LENGTH)
        : String(value);
  return `'${text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}...` : text}'`;
};

/** The member path; the first context entry is the request itself. */
const renderPath = (context: t.Context): string =>
  context
    .slice(1)
    .map((entry, i) => (Array.isArray(context[i]?.actual) ? `${Number(entry.key) + 1}.member` : entry.key))
    .join(".");

const renderError = (error: t.ValidationError): string => {
  const path = renderPath(error.context);
  const where = path === "" ? "the request body" : `'${path}'`;
  return `Value ${renderValue(error.value)} at ${where} failed to satisfy constraint: ${error.message ?? "Member must be valid"}`;
};

const ENUM_VIOLATION = "Member must satisfy enum value set:";

/**
 * A value outside an enumeration, alone, ECR reports in its parameter wording
 * (`Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum
 * value set: […]'`); everything else in the validation wording.
 */
export const validationMessage = (errors: t.Errors): string => {
  const only = errors.length === 1 ? errors[0] : undefined;
  if (only?.message?.startsWith(ENUM_VIOLATION) === true && renderPath(only.context) !== "") {
    return `Invalid parameter at '${renderPath(only.context)}' failed to satisfy constraint: '${only.message}'`;
  }
  return `${errors.length} validation error${errors.length === 1 ? "" : "s"} detected: ${errors.map(renderError).join("; ")}`;
};
