/** Branded values for tests and arbitraries, made through the core's own codecs. */

/** What `branded` needs of a codec: io-ts codecs (`RepositoryName`, `Digest`…) all fit. */
export interface Refinement<A> {
  readonly name: string;
  readonly is: (value: unknown) => value is A;
}

/**
 * The one way tests and arbitraries make branded values: checks `value` with the codec and throws
 * when it does not pass, so a broken arbitrary fails loudly instead of producing invalid values.
 */
export const branded = <A>(codec: Refinement<A>, value: unknown): A => {
  if (!codec.is(value)) throw new Error(`${JSON.stringify(value)} is not a valid ${codec.name}`);
  return value;
};
