/** Unwrapping a registry's answers in tests: the success expected, or the ECR exception expected. */
import { expect } from "vitest";

/** fp-ts's Either as the engine returns it, spelled structurally (the testkit does not need fp-ts). */
type Outcome<A> =
  | { readonly _tag: "Left"; readonly left: { readonly _tag: string; readonly message: string } }
  | {
      readonly _tag: "Right";
      readonly right: A;
    };

/** The Right of a registry answer; a Left fails the test with the error's name and message. */
export const expectRight = <A>(outcome: Outcome<A>): A => {
  if (outcome._tag === "Left") {
    throw new Error(`Expected success, got ${outcome.left._tag}: ${outcome.left.message}`);
  }
  return outcome.right;
};

/** The Left of a registry answer, checked to carry the ECR exception `tag`. */
export const expectRefusal = <E extends { readonly _tag: string; readonly message: string }>(
  outcome: { readonly _tag: "Left"; readonly left: E } | { readonly _tag: "Right"; readonly right: unknown },
  tag: string,
): E => {
  if (outcome._tag === "Right")
    throw new Error(`Expected ${tag}, got a success: ${JSON.stringify(outcome.right)}`);
  expect(outcome.left._tag).toBe(tag);
  return outcome.left;
};
