/**
 * The constraints of an ECR API member, as data: the request codecs carry them so that a test can
 * compare them with the official model, and `violationOf` turns them into ECR's validation wording.
 */
import { base64DecodedLength, isBase64Text } from "./base64-length.js";

interface Bounds {
  readonly min?: number;
  readonly max?: number;
}

export interface StringConstraints extends Bounds {
  readonly kind: "string";
  /** The model's pattern as written there; a value must match it as a whole. */
  readonly pattern?: string;
}
export interface IntegerConstraints extends Bounds {
  readonly kind: "integer";
}
/** A blob travels as base64 text (or bytes an edge decoded from it); the bounds apply to the bytes. */
export interface BlobConstraints extends Bounds {
  readonly kind: "blob";
}
export interface BooleanConstraints {
  readonly kind: "boolean";
}
export interface EnumConstraints {
  readonly kind: "enum";
  readonly values: ReadonlyArray<string>;
}
export interface ListConstraints extends Bounds {
  readonly kind: "list";
  readonly item: Constraints;
}
export interface StructureConstraints {
  readonly kind: "structure";
  readonly required: ReadonlyArray<string>;
  readonly members: Readonly<Record<string, Constraints>>;
}

export type Constraints =
  | StringConstraints
  | IntegerConstraints
  | BlobConstraints
  | BooleanConstraints
  | EnumConstraints
  | ListConstraints
  | StructureConstraints;

/** Model patterns are not anchored, yet ECR matches them against the whole value. */
export const wholeMatch = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

const boundsViolation = (what: "length" | "value", bounds: Bounds, size: number): string | undefined => {
  if (bounds.min !== undefined && size < bounds.min) {
    return `Member must have ${what} greater than or equal to ${bounds.min}`;
  }
  if (bounds.max !== undefined && size > bounds.max) {
    return `Member must have ${what} less than or equal to ${bounds.max}`;
  }
  return undefined;
};

/** A JSON object: what a structure must be sent as. */
export const isJsonObject = (u: unknown): u is object =>
  typeof u === "object" && u !== null && !Array.isArray(u);

/**
 * The first constraint `value` violates, in ECR's words, or undefined when it satisfies them all.
 * Lists and structures are checked here as a whole only: their items and members have their own codecs.
 */
export const violationOf = (constraints: Constraints, value: unknown): string | undefined => {
  if (value === undefined || value === null) return "Member must not be null";
  switch (constraints.kind) {
    case "string":
      if (typeof value !== "string") return "Member must be a string";
      return (
        boundsViolation("length", constraints, value.length) ??
        (constraints.pattern === undefined || wholeMatch(constraints.pattern).test(value)
          ? undefined
          : `Member must satisfy regular expression pattern: ${constraints.pattern}`)
      );
    case "integer":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) return "Member must be an integer";
      return boundsViolation("value", constraints, value);
    case "blob": {
      // Bytes an edge already decoded from the wire's base64 (and found exact): only their length is checked.
      if (value instanceof Uint8Array) return boundsViolation("length", constraints, value.byteLength);
      if (typeof value !== "string") return "Member must be a base64-encoded string";
      // The length check comes first and costs nothing, so oversized text is refused without a scan.
      const decodedLength = base64DecodedLength(value);
      if (decodedLength === undefined) return "Member must be a base64-encoded string";
      return (
        boundsViolation("length", constraints, decodedLength) ??
        (isBase64Text(value) ? undefined : "Member must be a base64-encoded string")
      );
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : "Member must be a boolean";
    case "enum":
      return typeof value === "string" && constraints.values.includes(value)
        ? undefined
        : `Member must satisfy enum value set: [${constraints.values.join(", ")}]`;
    case "list":
      return Array.isArray(value)
        ? boundsViolation("length", constraints, value.length)
        : "Member must be a list";
    case "structure":
      return isJsonObject(value) ? undefined : "Member must be a structure";
  }
};
