// How many of a key's jobs one GET /api/jobs request looks at (pure): a page without a filter reads exactly its
// length; a status filter reads a bounded stretch, so a rare status gives short pages with a cursor, not a scan of
// everything the key ever made.

/** Index entries a filtered page reads, per job it may return. */
export const FILTERED_SCAN_FACTOR = 10;

export const planJobListScan = (limit: number, filtered: boolean): number => {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be an integer >= 1, got ${limit}`);
  return filtered ? limit * FILTERED_SCAN_FACTOR : limit;
};
