/** All the bytes of a stream, in one buffer: how tests compare what a store or registry served. */
export const readAllBytes = async (stream: AsyncIterable<Uint8Array>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};
