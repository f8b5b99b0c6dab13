// One job opened: its status and progress (followed live until it ends), the error, the output played in the page,
// its poster, download links for its outputs, and its record as JSON.
import { isTerminalStatus } from "../core/job-status.ts";
import { type JobView, TcoderError } from "../sdk/index.ts";
import { describeError } from "./describe-error.ts";
import { byId, el } from "./dom.ts";
import { formatBytes, formatTime, formatUsd, jobDuration } from "./format.ts";
import { type Playback, playOutputs } from "./play-output.ts";
import type { Session } from "./session.ts";

export interface JobDetail {
  open(jobId: string): Promise<void>;
}

export const jobDetail = (session: Session, onChange: (job: JobView) => void): JobDetail => {
  const section = byId("job-detail");
  const heading = byId("job-heading");
  const summary = byId("job-summary");
  const errorLine = byId("job-error");
  const video = byId<HTMLVideoElement>("player");
  const note = byId("player-note");
  const outputs = byId<HTMLUListElement>("outputs");
  const record = byId<HTMLDetailsElement>("record");
  const recordJson = byId("record-json");
  let playback: Promise<Playback> | null = null;
  let following: AbortController | null = null;
  let jobId: string | null = null;

  const reset = () => {
    following?.abort();
    void playback?.then((started) => started.stop());
    playback = null;
    video.removeAttribute("poster");
    delete video.dataset.player;
    video.hidden = true;
    note.textContent = "";
    errorLine.textContent = "";
    outputs.replaceChildren();
    record.open = false;
    recordJson.textContent = "";
  };

  const render = async (job: JobView) => {
    if (job.jobId !== jobId) return; // another job was opened meanwhile
    const progress = isTerminalStatus(job.status) ? "" : ` · ${job.progress} %`;
    const cost = job.cost === null ? "" : ` · ${formatUsd(job.cost.usd)}`;
    const ran = job.timestamps.startedAt === null ? "" : ` · ran ${jobDuration(job.timestamps)}`;
    summary.textContent =
      `${job.status}${progress} · ${job.preset}${ran}${cost}` +
      ` · created ${formatTime(job.timestamps.createdAt)} · attempts ${job.attempts}`;
    const reason = job.cancelReason ? `Cancelled: ${job.cancelReason}` : "";
    errorLine.textContent = job.error ? `${job.error.code}: ${job.error.message}` : reason;
    outputs.replaceChildren(...outputItems(job));
    if (job.status === "completed" && playback === null) {
      const started = playOutputs(video, job.outputs, (text) => {
        note.textContent = text;
      });
      playback = started;
      note.textContent = (await started).note;
    }
  };

  record.addEventListener("toggle", async () => {
    if (!record.open || recordJson.textContent !== "" || jobId === null) return;
    recordJson.textContent = "Loading…";
    try {
      recordJson.textContent = JSON.stringify(await session.client.record(jobId), null, 2);
    } catch (error) {
      recordJson.textContent =
        error instanceof TcoderError && error.status === 409
          ? "The job is still running: its record is written when it ends."
          : error instanceof TcoderError && error.status === 404
            ? "No record: the job ended before a worker ran it."
            : describeError(error);
    }
  });

  byId("close-job").addEventListener("click", () => {
    reset();
    jobId = null;
    section.hidden = true;
  });

  return {
    async open(id) {
      reset();
      jobId = id;
      section.hidden = false;
      heading.textContent = `Job ${id}`;
      heading.focus();
      summary.textContent = "Loading…";
      const follow = new AbortController();
      following = follow;
      const signal = AbortSignal.any([session.signal, follow.signal]);
      try {
        const job = await session.client.get(id, { signal });
        await render(job);
        if (isTerminalStatus(job.status)) return;
        const done = await session.client.wait(id, {
          signal,
          onProgress: (update) => {
            void render(update);
            onChange(update);
          },
        });
        await render(done);
        onChange(done);
      } catch (error) {
        if (!signal.aborted) errorLine.textContent = describeError(error);
      }
    },
  };
};

/** Download links: every output but HLS segments, which are counted (the playlists point to them). */
const outputItems = (job: JobView): HTMLLIElement[] => {
  const segments = job.outputs.filter((output) => output.type === "hls-segment");
  const items = job.outputs
    .filter((output) => output.type !== "hls-segment")
    .map((output) => {
      const label = [output.type, output.quality].filter(Boolean).join(" ");
      return el(
        "li",
        {},
        el("a", { href: output.url, download: "", rel: "noreferrer" }, label),
        ` · ${output.contentType} · ${formatBytes(output.size)}`,
      );
    });
  if (segments.length > 0) {
    const bytes = segments.reduce((sum, output) => sum + output.size, 0);
    items.push(el("li", {}, `${segments.length} HLS segments · ${formatBytes(bytes)}`));
  }
  if (items.length === 0) items.push(el("li", {}, job.status === "completed" ? "none" : "not yet"));
  return items;
};
