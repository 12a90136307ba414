/**
 * Builders of io-ts codecs that carry their constraints (`codec.constraints`) and report a violation
 * in ECR's words as the io-ts error message, so decoding and the model test share one description.
 * (Enumerations are all branded values of the domain: see `declared` and `BrandedMembers`.)
 */
import * as E from "fp-ts/lib/Either.js";
import * as t from "io-ts";
import {
  type BlobConstraints,
  type Constraints,
  type IntegerConstraints,
  isJsonObject,
  type ListConstraints,
  type StringConstraints,
  type StructureConstraints,
  violationOf,
} from "./constraints.js";

export interface Constrained<A, O = A> extends t.Type<A, O, unknown> {
  readonly constraints: Constraints;
}
/** Any constrained codec, as a member of a structure or an item of a list. */
type ConstrainedMember = t.Mixed & { readonly constraints: Constraints };
type Members = Record<string, ConstrainedMember>;

const withConstraints = <A, O>(codec: t.Type<A, O, unknown>, constraints: Constraints): Constrained<A, O> =>
  Object.assign(codec, { constraints });

/** A codec whose constraints are its whole definition: valid means no violation. */
const checked = <A>(name: string, constraints: Constraints): Constrained<A> => {
  const is = (u: unknown): u is A => violationOf(constraints, u) === undefined;
  return withConstraints(
    new t.Type<A, A, unknown>(
      name,
      is,
      (u, c) => (is(u) ? t.success(u) : t.failure(u, c, violationOf(constraints, u))),
      t.identity,
    ),
    constraints,
  );
};

type Bounds<C> = Omit<C, "kind">;

export const boundedString = (bounds: Bounds<StringConstraints>, name: string): Constrained<string> =>
  checked(name, { kind: "string", ...bounds });

export const boundedInt = (bounds: Bounds<IntegerConstraints>, name: string): Constrained<number> =>
  checked(name, { kind: "integer", ...bounds });

/**
 * Base64 text whose decoded length is bounded, kept as it came, undecoded; or the bytes an edge
 * decoded from such text itself (natively, checking it is exact base64), bounded by their length.
 */
export const base64Blob = (bounds: Bounds<BlobConstraints>, name: string): Constrained<string | Uint8Array> =>
  checked(name, { kind: "blob", ...bounds });

export const flag = (name: string): Constrained<boolean> => checked(name, { kind: "boolean" });

export const boundedList = <I extends ConstrainedMember>(
  item: I,
  bounds: Omit<Bounds<ListConstraints>, "item">,
  name: string,
): Constrained<ReadonlyArray<t.TypeOf<I>>, ReadonlyArray<t.OutputOf<I>>> => {
  const constraints: ListConstraints = { kind: "list", ...bounds, item: item.constraints };
  const items = t.readonlyArray(item);
  return withConstraints(
    new t.Type(
      name,
      (u): u is ReadonlyArray<t.TypeOf<I>> => violationOf(constraints, u) === undefined && items.is(u),
      (u, c) => {
        const violation = violationOf(constraints, u);
        return violation === undefined ? items.validate(u, c) : t.failure(u, c, violation);
      },
      items.encode,
    ),
    constraints,
  );
};

/** AWS JSON treats a member sent as null like a member not sent. */
const withoutNulls = (record: object): object =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));

/**
 * A structure with required and optional members: `t.type` and `t.partial`, validated side by side
 * (not by `t.intersection`, which would add its own step to every error path). Members it does not
 * know are dropped, as AWS ignores them, so a decoded request holds exactly its declared members.
 */
export const structure = <R extends Members, P extends Members>(name: string, required: R, optional: P) => {
  const constraints: StructureConstraints = {
    kind: "structure",
    required: Object.keys(required),
    members: Object.fromEntries(
      Object.entries({ ...required, ...optional }).map(([key, member]) => [key, member.constraints]),
    ),
  };
  const requiredPart = t.exact(t.type(required));
  const optionalPart = t.exact(t.partial(optional));
  type Decoded = t.TypeOf<typeof requiredPart> & t.TypeOf<typeof optionalPart>;
  type Encoded = t.OutputOf<typeof requiredPart> & t.OutputOf<typeof optionalPart>;
  return withConstraints(
    new t.Type<Decoded, Encoded, unknown>(
      name,
      (u): u is Decoded => requiredPart.is(u) && optionalPart.is(u),
      (u, c) => {
        if (!isJsonObject(u)) return t.failure(u, c, violationOf(constraints, u));
        const sent = withoutNulls(u);
        const requiredMembers = requiredPart.validate(sent, c);
        const optionalMembers = optionalPart.validate(sent, c);
        return E.isRight(requiredMembers) && E.isRight(optionalMembers)
          ? t.success({ ...requiredMembers.right, ...optionalMembers.right })
          : t.failures([
              ...(E.isLeft(requiredMembers) ? requiredMembers.left : []),
              ...(E.isLeft(optionalMembers) ? optionalMembers.left : []),
            ]);
      },
      (a) => ({ ...requiredPart.encode(a), ...optionalPart.encode(a) }),
    ),
    constraints,
  );
};

/**
 * A codec defined elsewhere (a branded value of the domain) with the constraints it is declared to
 * enforce: it decides validity itself; the declaration names the violation and is tested against it.
 */
export const declared = <A, O>(codec: t.Type<A, O, unknown>, constraints: Constraints): Constrained<A, O> =>
  withConstraints(
    new t.Type(
      codec.name,
      codec.is,
      (u, c) => {
        const result = codec.validate(u, c);
        return E.isRight(result) ? result : t.failure(u, c, violationOf(constraints, u));
      },
      codec.encode,
    ),
    constraints,
  );
