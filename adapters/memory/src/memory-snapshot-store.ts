import type { SnapshotStore } from "@berth/engine";

/** Keeps the latest snapshot in this process: for tests and embedding. Loads hand out copies. */
export const createMemorySnapshotStore = (): SnapshotStore => {
  let kept: { readonly position: bigint; readonly state: Uint8Array } | undefined;
  return {
    load: async () =>
      kept === undefined ? undefined : { position: kept.position, state: kept.state.slice() },
    save: async (position, state) => {
      if (kept !== undefined && position <= kept.position) return;
      kept = { position, state }; // the store owns it (see the port)
    },
    close: async () => {},
  };
};
