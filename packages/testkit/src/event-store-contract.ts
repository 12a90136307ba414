import type { EventStore } from "@berth/engine";
import { describe } from "vitest";
import { describeAppendCases } from "./event-store-append-cases.js";
import { describeConcurrencyCases } from "./event-store-concurrency-cases.js";
import { describeGuardedAppendCases } from "./event-store-guarded-cases.js";
import { describeJsonCases } from "./event-store-json-cases.js";
import { describeManifestCases } from "./event-store-manifest-cases.js";
import { describeReadCases } from "./event-store-read-cases.js";
import { describeSubscribeCases } from "./event-store-subscribe-cases.js";
import { describeTypedSubscribeCases } from "./event-store-subscribe-types-cases.js";
import { type MakeStore, useStoreFixture } from "./store-fixture.js";

/**
 * The EventStore contract as a vitest suite: run it unchanged against every adapter. `makeStore` is
 * called before each test; stores may share one database, as every case writes to its own streams.
 */
export const describeEventStoreContract = (name: string, makeStore: MakeStore<EventStore>): void => {
  describe(`EventStore contract: ${name}`, () => {
    const store = useStoreFixture(makeStore);
    describeAppendCases(store);
    describeReadCases(store);
    describeConcurrencyCases(store);
    describeGuardedAppendCases(store);
    describeSubscribeCases(store);
    describeTypedSubscribeCases(store);
    describeJsonCases(store);
    describeManifestCases(store);
  });
};
