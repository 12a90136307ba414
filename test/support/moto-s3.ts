/**
 * A real S3 server for the suites: moto's `moto_server` (Python), started on a free loopback port
 * and stopped after. S3 adapters are tested against it, never against a client mock.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

export const MOTO_SERVER = process.env.MOTO_SERVER ?? "moto_server";

const HOW_TO_INSTALL =
  "The S3 suites need moto's moto_server on PATH and found none: it ships with moto " +
  "(`pip install 'moto[server]'`; on the CI machines pyenv's Python has it), or point MOTO_SERVER at it. " +
  "These suites never skip.";

/** Test credentials: moto accepts any. */
export const MOTO_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;
export const MOTO_REGION = "us-east-1";

export interface MotoS3 {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A client on this server (path-style, test credentials), destroyed by stop(). */
  client(): S3Client;
  /** Creates a bucket with a fresh name and answers the name. */
  createBucket(): Promise<string>;
  stop(): Promise<void>;
}

export interface MotoOptions {
  /**
   * moto refuses multipart parts (but the last) under this many bytes, as S3 does under 5 MiB (its
   * default); smaller values let tests cut small blobs into many parts.
   */
  readonly minPartSize?: number;
}

const portOf = (child: ChildProcess): Promise<number> =>
  new Promise((resolve, reject) => {
    let output = "";
    const onData = (data: Buffer) => {
      output += data.toString();
      const port = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port !== undefined) {
        child.stderr?.off("data", onData);
        child.stderr?.resume(); // keep draining: a full pipe would stall the server
        resolve(Number(port));
      }
    };
    child.stderr?.on("data", onData);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(HOW_TO_INSTALL) : error),
    );
    child.once("exit", (code) =>
      reject(new Error(`moto_server exited (${code}) before listening:\n${output}`)),
    );
  });

/** Starts moto_server on a free port of 127.0.0.1 and waits until it answers. */
export async function startMotoS3(options: MotoOptions = {}): Promise<MotoS3> {
  const child = spawn(MOTO_SERVER, ["-H", "127.0.0.1", "-p", "0"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      ...(options.minPartSize === undefined ? {} : { S3_UPLOAD_PART_MIN_SIZE: String(options.minPartSize) }),
    },
  });
  let exited = child.exitCode !== null;
  child.once("exit", () => {
    exited = true;
  });
  const stop = async () => {
    if (exited) return;
    const gone = once(child, "exit");
    child.kill("SIGTERM");
    await gone;
  };
  let port: number;
  try {
    port = await portOf(child);
  } catch (error) {
    await stop();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  const client = () => {
    const s3 = new S3Client({
      endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
      forcePathStyle: true,
    });
    clients.push(s3);
    return s3;
  };
  const admin = client();
  return {
    endpoint,
    client,
    async createBucket() {
      const name = `berth-test-${randomBytes(6).toString("hex")}`;
      await admin.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async stop() {
      for (const s3 of clients) s3.destroy();
      await stop();
    },
  };
}
