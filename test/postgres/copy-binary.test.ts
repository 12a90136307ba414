/**
 * copiedColumn parses COPY … TO STDOUT (FORMAT binary) of one bytea column however the stream
 * is cut into chunks, and refuses what is not that. (The snapshot store's contract suite reads real
 * COPY output from PostgreSQL; here the format is written by hand to reach every boundary.)
 */
import { CopyFormatError, copiedColumn } from "@berth/adapter-postgres";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

const int = (bytes: number, value: number) => {
  const buffer = Buffer.alloc(bytes);
  if (bytes === 2) buffer.writeInt16BE(value);
  else buffer.writeInt32BE(value);
  return buffer;
};

/** COPY binary of `rows`, one field each (null: a NULL field), with a header extension of `extension` bytes. */
const copyOf = (rows: ReadonlyArray<Uint8Array | null>, extension = 0, fields = 1): Buffer =>
  Buffer.concat([
    SIGNATURE,
    int(4, 0),
    int(4, extension),
    Buffer.alloc(extension, 7),
    ...rows.flatMap((row) => [
      int(2, fields),
      ...(row === null ? [int(4, -1)] : [int(4, row.byteLength), Buffer.from(row)]),
    ]),
    int(2, -1),
  ]);

/** `bytes` cut at `cuts` (offsets, any order, repeats allowed). */
async function* cut(bytes: Buffer, cuts: ReadonlyArray<number>): AsyncGenerator<Buffer> {
  let at = 0;
  for (const offset of [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b)) {
    if (offset > at) yield bytes.subarray(at, offset);
    at = Math.max(at, offset);
  }
  if (at < bytes.byteLength) yield bytes.subarray(at);
}

/** Every piece copiedColumn yields, and the row count it returns. */
const readCopiedColumn = async (stream: AsyncIterable<Buffer>) => {
  const pieces: Buffer[] = [];
  const column = copiedColumn(stream);
  for (let next = await column.next(); ; next = await column.next()) {
    if (next.done === true) return { pieces, rows: next.value };
    pieces.push(next.value);
  }
};

describe("copiedColumn", () => {
  test.prop([
    fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
    fc.array(fc.nat(), { maxLength: 40 }),
    fc.nat({ max: 9 }),
  ])("gives every row's bytes, in order, wherever the chunks are cut", async (rows, cuts, extension) => {
    const copied = await readCopiedColumn(cut(copyOf(rows, extension), cuts));
    expect(copied.rows).toBe(rows.length);
    expect(Buffer.concat(copied.pieces).equals(Buffer.concat(rows))).toBe(true);
  });

  it("refuses a stream that is not COPY binary of one non-NULL column", async () => {
    const one = [Buffer.from("abc")];
    const refusals: Array<[Buffer, RegExp]> = [
      [Buffer.from("not a copy at all, but long enough"), /no signature/],
      [copyOf([null]), /NULL/],
      [copyOf(one, 0, 2), /2 fields/],
      [copyOf(one).subarray(0, 25), /ended early/],
      [copyOf(one).subarray(0, 28), /ended early/],
      [Buffer.concat([copyOf(one), Buffer.from("x")]), /after the end/],
    ];
    for (const [bytes, reason] of refusals) {
      const refused = readCopiedColumn(cut(bytes, [3, 20]));
      await expect(refused).rejects.toBeInstanceOf(CopyFormatError);
      await expect(readCopiedColumn(cut(bytes, [3, 20]))).rejects.toThrow(reason);
    }
  });
});
