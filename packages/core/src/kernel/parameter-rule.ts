/**
 * Rules ECR checks on a request beyond the constraints of its members, and reports not as a
 * validation error but with a message of its own (PutImage's media type, for one). The request
 * codec checks such a rule once its members are valid, so a request breaking a constraint is
 * still refused with the validation message first, as before.
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import * as t from "io-ts";
import type { Constrained } from "./constraint-codecs.js";

/** Marks, in an io-ts error's context, a failure whose message is the whole ECR message. */
const ParameterRule = new t.Type<unknown>(
  "ParameterRule",
  (_u): _u is unknown => true,
  t.success,
  t.identity,
);

/**
 * `codec`, then `rule` on what it decoded: Left is the InvalidParameterException message, Right
 * the request as the rule narrows it. The constraints stay those of `codec` (the model's).
 */
export const withParameterRule = <A, O, B extends A>(
  codec: Constrained<A, O>,
  rule: (request: A) => E.Either<string, B>,
): Constrained<B, O> =>
  Object.assign(
    new t.Type<B, O, unknown>(
      codec.name,
      (u): u is B => codec.is(u) && E.isRight(rule(u)),
      (u, c) =>
        pipe(
          codec.validate(u, c),
          E.chain((request) =>
            pipe(
              rule(request),
              E.foldW(
                (message) =>
                  t.failure<B>(request, [...c, { key: "", type: ParameterRule, actual: request }], message),
                (narrowed) => t.success(narrowed),
              ),
            ),
          ),
        ),
      codec.encode,
    ),
    { constraints: codec.constraints },
  );

/** The message of a broken parameter rule among `errors`, if one is there. */
export const parameterRuleMessage = (errors: t.Errors): string | undefined =>
  errors.find((error) => error.context.at(-1)?.type === ParameterRule)?.message;
