/**
 * One spare buffer for large request bodies, lent to a body and given back when the request no
 * longer needs its bytes. A fresh buffer of a 28 MB ECR layer part costs a page fault per 4 KiB page
 * to fill and an unmapping to collect; on the VMs of docs/BENCHMARKS.md that was a sixth of
 * UploadLayerPart's time, and reusing one buffer won 15–20% of its MB/s. Only bodies of at least
 * `minimumBytes` are lent; at most one buffer is kept, the largest given back (at most the largest
 * body accepted). A body that is never given back (a refused request, say) is simply collected.
 */
export interface BodyBuffers {
  /** A buffer of exactly `size` bytes: a view of the spare when it is large enough, else a new one. */
  take(size: number): Buffer;
  /**
   * The very body `take` gave, back for the next request (anything else is ignored): the caller keeps
   * no view of it, nor of anything parsed from it without a copy.
   */
  giveBack(body: Buffer): void;
}

export const createBodyBuffers = (minimumBytes = 1024 * 1024): BodyBuffers => {
  let spare: ArrayBuffer | undefined;
  /**
   * The bodies out on loan, as the very views handed out: only these come back, once. (Not their
   * memory: an old view of memory lent again would give back the new borrower's buffer.)
   */
  const lent = new WeakSet<Buffer>();
  return {
    take(size) {
      if (size < minimumBytes) return Buffer.allocUnsafe(size);
      let memory: ArrayBuffer;
      if (spare !== undefined && spare.byteLength >= size) {
        memory = spare;
        spare = undefined;
      } else memory = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer; // never a slice of Node's pool
      const body = Buffer.from(memory, 0, size);
      lent.add(body);
      return body;
    },
    giveBack(body) {
      if (!lent.delete(body)) return;
      if (body.buffer.byteLength > (spare?.byteLength ?? 0)) spare = body.buffer as ArrayBuffer;
    },
  };
};
