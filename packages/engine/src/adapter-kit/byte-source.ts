/** The bytes of one append, whether the caller hands them over at once or as a stream. */
export async function* byteSource(chunk: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<Uint8Array> {
  if (chunk instanceof Uint8Array) yield chunk;
  else yield* chunk;
}
