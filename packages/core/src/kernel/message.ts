/**
 * The shape of every command and event: a closed union member `{ type, data }` with a literal
 * `type`. Slices declare theirs with these; the root composes the unions.
 */
import type { RegistryId, RepositoryName } from "../values/primitives.js";

export type Command<Type extends string, Data> = { readonly type: Type; readonly data: Data };
export type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

/** Any command or event: what dispatch tables are keyed by. */
export type Message = { readonly type: string; readonly data: unknown };

/** The repository a command or event is about. */
export interface RepositoryRef {
  readonly registryId: RegistryId;
  readonly repositoryName: RepositoryName;
}
