// The CLI's progress bars (cli-progress) on stderr: redrawn in place on a terminal; on anything else (a pipe, a log
// file, CI) plain lines, at most one a second, with no escape codes.
import cliProgress from "cli-progress";

export interface ProgressBar {
  update(value: number, detail: string): void;
  /** Draws the final state and moves past it. */
  stop(): void;
}

export interface ProgressDisplay {
  /** `label` [bar] percent | detail */
  bar(label: string, total: number): ProgressBar;
  /** A line of its own, between bars. */
  note(text: string): void;
}

export const progressDisplay = (stream: NodeJS.WriteStream, enabled: boolean): ProgressDisplay => {
  const tty = stream.isTTY === true;
  return {
    bar(label, total) {
      if (!enabled) return { update: () => undefined, stop: () => undefined };
      const bar = new cliProgress.SingleBar({
        stream,
        format: `${label.padEnd(9)} [{bar}] {percentage}% | {detail}`,
        barCompleteChar: tty ? "\u2588" : "#",
        barIncompleteChar: tty ? "\u2591" : "-",
        barsize: 30,
        hideCursor: tty,
        // Off a terminal: a plain line per second (and the last one), nothing to clear.
        noTTYOutput: true,
        notTTYSchedule: 1000,
        clearOnComplete: !tty,
        // Ctrl-C is the CLI's to handle (it keeps the upload resumable).
        gracefulExit: false,
      });
      bar.start(total, 0, { detail: "" });
      return {
        update: (value, detail) => bar.update(value, { detail }),
        stop: () => bar.stop(),
      };
    },
    note: (text) => {
      stream.write(`${text}\n`);
    },
  };
};

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export const formatBytes = (bytes: number): string => {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
};
