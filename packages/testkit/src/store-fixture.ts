import { afterEach, beforeEach } from "vitest";

/** A store under test and how to dispose of it. */
export interface StoreFixture<S> {
  readonly store: S;
  readonly teardown?: () => Promise<void>;
}

/** Builds a store for one test. Stores may share a database across tests: cases never assume an empty one. */
export type MakeStore<S> = () => Promise<StoreFixture<S>>;

/** Gives each test of the enclosing `describe` a fresh store from `makeStore`, torn down after it. */
export const useStoreFixture = <S>(makeStore: MakeStore<S>): (() => S) => {
  let fixture: StoreFixture<S> | undefined;
  beforeEach(async () => {
    fixture = await makeStore();
  });
  afterEach(async () => {
    const current = fixture;
    fixture = undefined;
    await current?.teardown?.();
  });
  return () => {
    if (fixture === undefined) throw new Error("The store is only available inside a test");
    return fixture.store;
  };
};
