// The key's jobs, newest first, a page at a time (GET /api/jobs with its cursor): status, preset, run time, cost and
// creation time, each opening the job. While a job on the page is unfinished, the page refreshes itself.
import { isTerminalStatus } from "../core/job-status.ts";
import type { JobView } from "../sdk/index.ts";
import { describeError } from "./describe-error.ts";
import { byId, el } from "./dom.ts";
import { formatTime, formatUsd, jobDuration } from "./format.ts";
import type { Session } from "./session.ts";

const PAGE_SIZE = 10;
const REFRESH_MS = 5_000;

export interface JobList {
  refresh(): Promise<void>;
}

export const jobList = (session: Session, open: (jobId: string) => void): JobList => {
  const rows = byId("job-rows");
  const empty = byId("jobs-empty");
  const errorLine = byId("jobs-error");
  const newer = byId<HTMLButtonElement>("newer");
  const older = byId<HTMLButtonElement>("older");
  // cursors[i] starts page i; page 0 has none.
  const cursors: (string | undefined)[] = [undefined];
  let page = 0;
  let nextCursor: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const refresh = async () => {
    clearTimeout(timer);
    try {
      const list = await session.client.list({
        limit: PAGE_SIZE,
        cursor: cursors[page],
        signal: session.signal,
      });
      errorLine.textContent = "";
      nextCursor = list.nextCursor;
      rows.replaceChildren(...list.jobs.map((job) => row(job, open)));
      empty.hidden = list.jobs.length > 0 || page > 0;
      if (list.jobs.some((job) => !isTerminalStatus(job.status))) timer = setTimeout(refresh, REFRESH_MS);
    } catch (error) {
      if (!session.signal.aborted) errorLine.textContent = describeError(error);
    }
    newer.disabled = page === 0;
    older.disabled = nextCursor === null;
  };

  older.addEventListener("click", () => {
    if (nextCursor === null) return;
    page += 1;
    cursors[page] = nextCursor;
    void refresh();
  });
  newer.addEventListener("click", () => {
    if (page === 0) return;
    page -= 1;
    void refresh();
  });
  byId("refresh").addEventListener("click", () => void refresh());
  return { refresh };
};

const row = (job: JobView, open: (jobId: string) => void): HTMLTableRowElement => {
  const button = el("button", { type: "button", "aria-label": `Open job ${job.jobId}` }, shortId(job.jobId));
  button.addEventListener("click", () => open(job.jobId));
  const status = isTerminalStatus(job.status) ? job.status : `${job.status} ${job.progress} %`;
  return el(
    "tr",
    { "data-job-id": job.jobId },
    el("td", { "data-label": "Job" }, button),
    el("td", { "data-label": "Status" }, el("span", { class: `badge ${job.status}` }, status)),
    el("td", { "data-label": "Preset" }, job.preset),
    el("td", { "data-label": "Run time" }, jobDuration(job.timestamps)),
    el("td", { "data-label": "Cost" }, job.cost === null ? "—" : formatUsd(job.cost.usd)),
    el("td", { "data-label": "Created" }, formatTime(job.timestamps.createdAt)),
  );
};

/** job_01HX…: enough of the id to tell jobs apart; the full id is the button's label and the detail's heading. */
const shortId = (jobId: string): string => (jobId.length > 14 ? `${jobId.slice(0, 12)}…` : jobId);
