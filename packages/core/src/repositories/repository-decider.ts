/** The repositories slice: creating and deleting repositories and setting their tag mutability. */
import type { Slice } from "../kernel/slice.js";
import {
  decideCreateRepository,
  decideDeleteRepository,
  decidePutImageTagMutability,
} from "./decide-repository.js";
import { evolveRepository } from "./evolve-repository.js";
import type { RepositoryCommand } from "./repository-commands.js";
import type { RepositoryLifecycleEvent } from "./repository-events.js";

export const repositoryDecider: Slice<RepositoryCommand, RepositoryLifecycleEvent> = {
  decide: {
    CreateRepository: decideCreateRepository,
    DeleteRepository: decideDeleteRepository,
    PutImageTagMutability: decidePutImageTagMutability,
  },
  evolve: evolveRepository,
};
