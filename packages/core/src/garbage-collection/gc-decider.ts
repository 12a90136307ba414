/** The garbage collection slice: idle layers unlinked, idle blobs condemned, retained or forgotten. */
import type { Slice } from "../kernel/slice.js";
import {
  decideCollectBlob,
  decideCollectLayer,
  decideForgetBlob,
  decideRetainBlob,
} from "./decide-garbage-collection.js";
import { evolveGarbageCollection } from "./evolve-garbage-collection.js";
import type { GarbageCollectionCommand } from "./gc-commands.js";
import type { GarbageCollectionEvent } from "./gc-events.js";

export const garbageCollectionDecider: Slice<GarbageCollectionCommand, GarbageCollectionEvent> = {
  decide: {
    CollectLayer: decideCollectLayer,
    CollectBlob: decideCollectBlob,
    RetainBlob: decideRetainBlob,
    ForgetBlob: decideForgetBlob,
  },
  evolve: evolveGarbageCollection,
};
