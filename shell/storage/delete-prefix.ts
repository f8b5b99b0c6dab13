// Deletes the objects under a key prefix, one listing page (up to 1,000 keys) at a time and at most `maxPages` of
// them: bounded work. `more` says objects may remain (a caller that needs everything gone calls again).
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { ObjectStore, StorageError } from "./object-store.ts";

export interface DeletedPrefix {
  readonly deleted: number;
  readonly more: boolean;
}

export const deletePrefix = (
  store: ObjectStore,
  prefix: string,
  maxPages = 1,
): ResultAsync<DeletedPrefix, StorageError> => {
  const page = (done: number, pagesLeft: number): ResultAsync<DeletedPrefix, StorageError> =>
    store
      .list(prefix)
      .andThen((listed) =>
        ResultAsync.combine(listed.objects.map((object) => store.delete(object.key))).map(() => ({
          deleted: done + listed.objects.length,
          // What was deleted no longer lists: the next page is the first one again.
          more: listed.nextCursor !== null,
        })),
      )
      .andThen((result) =>
        result.more && pagesLeft > 1 ? page(result.deleted, pagesLeft - 1) : okAsync(result),
      );
  if (!Number.isInteger(maxPages) || maxPages < 1)
    return errAsync({ kind: "invalid-response", message: "maxPages must be ≥ 1" });
  return page(0, maxPages);
};
