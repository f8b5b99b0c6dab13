// The worker's log: one JSON object per line on stdout (Fly ships stdout to its log stream). Stderr is kept for
// the single-job mode's one-line failure reason.

export type Log = (event: string, fields?: Readonly<Record<string, unknown>>) => void;

export const jsonLog =
  (write: (line: string) => void, clock: () => number): Log =>
  (event, fields = {}) =>
    write(`${JSON.stringify({ at: new Date(clock()).toISOString(), event, ...fields })}\n`);
