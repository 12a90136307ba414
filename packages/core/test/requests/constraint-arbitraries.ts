/**
 * fast-check arbitraries derived from the constraints a codec carries: values that satisfy them,
 * values near them, and values that break exactly one of them (with ECR's wording for the break).
 */
import { fc } from "@fast-check/vitest";
import { type Constraints, wholeMatch } from "../../src/kernel/constraints.js";

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const mapValues = <A, B>(record: Readonly<Record<string, A>>, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));

/** Values that satisfy `constraints`, kept small (short strings, a few items) so runs stay fast. */
export const validValue = (constraints: Constraints): fc.Arbitrary<unknown> => {
  switch (constraints.kind) {
    case "string": {
      const min = constraints.min ?? 0;
      const max = constraints.max ?? Number.POSITIVE_INFINITY;
      return constraints.pattern === undefined
        ? fc.string({ minLength: min, maxLength: Math.min(max, min + 20) })
        : fc
            .stringMatching(wholeMatch(constraints.pattern), { size: "xsmall" })
            .filter((s) => s.length >= min && s.length <= max);
    }
    case "integer":
      return fc
        .bigInt({
          min: constraints.min === undefined ? -SAFE : BigInt(constraints.min),
          max: constraints.max === undefined ? SAFE : BigInt(constraints.max),
        })
        .map(Number);
    case "blob":
      return fc
        .uint8Array({ minLength: constraints.min ?? 0, maxLength: 48 })
        .map((bytes) => Buffer.from(bytes).toString("base64"));
    case "boolean":
      return fc.boolean();
    case "enum":
      return fc.constantFrom(...constraints.values);
    case "list": {
      const min = constraints.min ?? 0;
      return fc.array(validValue(constraints.item), {
        minLength: min,
        maxLength: Math.min(constraints.max ?? Number.POSITIVE_INFINITY, min + 3),
      });
    }
    case "structure":
      return fc.record(mapValues(constraints.members, validValue), {
        requiredKeys: [...constraints.required],
      });
  }
};

export interface Violation {
  readonly value: unknown;
  /** How ECR words the broken constraint. */
  readonly message: string;
}

const breaking = (value: unknown, message: string): fc.Arbitrary<Violation> =>
  fc.constant({ value, message });

const stringLengthBreaks = (constraints: { readonly min?: number; readonly max?: number }) => [
  ...(constraints.min !== undefined && constraints.min > 0
    ? [
        breaking(
          "a".repeat(constraints.min - 1),
          `Member must have length greater than or equal to ${constraints.min}`,
        ),
      ]
    : []),
  ...(constraints.max === undefined
    ? []
    : [
        breaking(
          "a".repeat(constraints.max + 1),
          `Member must have length less than or equal to ${constraints.max}`,
        ),
      ]),
];

/**
 * Values that break exactly one constraint. A blob too long is left to the example tests, which
 * build the one 28 MB string this needs.
 */
export const violating = (constraints: Constraints): fc.Arbitrary<Violation> => {
  switch (constraints.kind) {
    case "string":
      return fc.oneof(
        breaking(42, "Member must be a string"),
        ...stringLengthBreaks(constraints),
        ...(constraints.pattern === undefined
          ? []
          : [
              breaking(
                "!".repeat(Math.max(constraints.min ?? 1, 1)),
                `Member must satisfy regular expression pattern: ${constraints.pattern}`,
              ),
            ]),
      );
    case "integer":
      return fc.oneof(
        breaking("1", "Member must be an integer"),
        breaking(1.5, "Member must be an integer"),
        ...(constraints.min === undefined
          ? []
          : [
              breaking(
                constraints.min - 1,
                `Member must have value greater than or equal to ${constraints.min}`,
              ),
            ]),
        ...(constraints.max === undefined
          ? []
          : [
              breaking(
                constraints.max + 1,
                `Member must have value less than or equal to ${constraints.max}`,
              ),
            ]),
      );
    case "blob":
      return fc.constantFrom(42, "!!!!", "QQ=", "QUJD====").map((value) => ({
        value,
        message: "Member must be a base64-encoded string",
      }));
    case "boolean":
      return breaking("true", "Member must be a boolean");
    case "enum":
      return breaking(
        "NOT_A_VALUE",
        `Member must satisfy enum value set: [${constraints.values.join(", ")}]`,
      );
    case "list": {
      const { min, max } = constraints;
      return fc.oneof(
        breaking({}, "Member must be a list"),
        ...(min !== undefined && min > 0
          ? [breaking([], `Member must have length greater than or equal to ${min}`)]
          : []),
        ...(max === undefined
          ? []
          : [
              fc
                .array(validValue(constraints.item), { minLength: max + 1, maxLength: max + 1 })
                .map((value) => ({ value, message: `Member must have length less than or equal to ${max}` })),
            ]),
      );
    }
    case "structure":
      return breaking([], "Member must be a structure");
  }
};

/** Values around the valid ones: valid, one character or unit off, or of another kind. */
export const nearValue = (constraints: Constraints): fc.Arbitrary<unknown> =>
  fc.oneof(
    validValue(constraints),
    violating(constraints).map((violation) => violation.value),
    validValue(constraints).chain((value) =>
      typeof value === "string"
        ? fc.constantFrom(
            value + value.slice(-1),
            value.slice(0, -1),
            value.slice(1),
            `${value}-`,
            value.toUpperCase(),
          )
        : typeof value === "number"
          ? fc.constantFrom(value - 1, value + 1, value + 0.5)
          : fc.constant(value),
    ),
    fc
      .tuple(fc.constantFrom("a", "0", "A", "-", "."), fc.nat({ max: 300 }))
      .map(([unit, n]) => unit.repeat(n)),
    fc.constantFrom(null, undefined, true, {}, []),
  );
