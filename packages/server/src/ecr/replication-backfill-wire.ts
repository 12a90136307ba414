/** Replication backfill answers as ECR sends them: timestamps in epoch seconds, the account as registryId. */
import { accountOf, type RegistryError, type RegistryId } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { withEpochSeconds } from "./wire.js";

type Timed = { readonly startedAt: number; readonly endedAt?: number };

const timesOnWire = <T extends Timed>(value: T): T => withEpochSeconds(value, ["startedAt", "endedAt"]);

/** A backfill answer (Start, Stop, DescribeReplicationBackfillResults) with its registry's account. */
export const backfillOnWire =
  (registryId: RegistryId) =>
  <T extends Timed>(either: E.Either<RegistryError, T>) =>
    E.map((answer: T) => ({ registryId: accountOf(registryId), ...timesOnWire(answer) }))(either);

export const backfillsOnWire =
  (registryId: RegistryId) =>
  <T extends { readonly backfills: ReadonlyArray<Timed> }>(either: E.Either<RegistryError, T>) =>
    E.map((answer: T) => ({
      registryId: accountOf(registryId),
      ...answer,
      backfills: answer.backfills.map(timesOnWire),
    }))(either);
