import type { SnapshotStore, StoredSnapshot } from "@berth/engine";

/** Keeps the latest snapshot in this process (a copy of its bytes): for tests and embedding. */
export const createMemorySnapshotStore = (): SnapshotStore => {
  let kept: StoredSnapshot | undefined;
  return {
    load: async () =>
      kept === undefined ? undefined : { position: kept.position, state: kept.state.slice() },
    save: async (position, state) => {
      if (kept !== undefined && position <= kept.position) return;
      kept = { position, state: state.slice() };
    },
    close: async () => {},
  };
};
