// Upload: a file dropped on the zone or picked, and a preset → the SDK's upload, with its progress in bytes (large
// files go in parts, resumable after a reload: the SDK's resume state is kept in localStorage per file and preset) →
// the job followed live (the SDK's wait) until it ends, then opened.
import { PRESET_NAMES } from "../core/preset-names.ts";
import { type JobView, type PresetName, parseResumeState, type UploadResumeState } from "../sdk/index.ts";
import { describeError } from "./describe-error.ts";
import { byId, el } from "./dom.ts";
import { formatBytes } from "./format.ts";
import { progressFetch } from "./progress-fetch.ts";
import type { Session } from "./session.ts";

export interface UploadEvents {
  /** The job exists (its upload is under way or done), or it moved on. */
  readonly onJob: (job: { readonly jobId: string } | JobView) => void;
  /** The job ended. */
  readonly onDone: (job: JobView) => void;
}

const resumeKey = (file: File, preset: string) =>
  `tcoder.resume:${preset}:${file.name}:${file.size}:${file.lastModified}`;

const savedResume = (key: string): UploadResumeState | undefined => {
  try {
    return parseResumeState(JSON.parse(localStorage.getItem(key) ?? "null")) ?? undefined;
  } catch {
    return undefined;
  }
};

export const setUpUpload = (session: Session, events: UploadEvents): void => {
  const form = byId<HTMLFormElement>("upload-form");
  const input = byId<HTMLInputElement>("file");
  const zone = byId("drop-zone");
  const fileName = byId("file-name");
  const preset = byId<HTMLSelectElement>("preset");
  const button = byId<HTMLButtonElement>("upload-button");
  const status = byId("upload-status");
  const uploadBar = byId<HTMLProgressElement>("upload-progress");
  const jobBar = byId<HTMLProgressElement>("job-progress");
  const text = byId("upload-text");
  let chosen: File | null = null;
  let busy = false;

  preset.replaceChildren(...PRESET_NAMES.map((name) => el("option", { value: name }, name)));
  preset.value = "web-optimized";

  const choose = (file: File | undefined) => {
    chosen = file ?? null;
    fileName.textContent = chosen ? `${chosen.name} · ${formatBytes(chosen.size)}` : "";
    button.disabled = busy || chosen === null;
  };
  input.addEventListener("change", () => choose(input.files?.[0]));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const files = event.dataTransfer?.files;
    // The picker shows the dropped file too, not one picked earlier.
    if (files && files.length > 0) input.files = files;
    choose(files?.[0]);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (chosen === null || busy) return;
    busy = true;
    button.disabled = true;
    try {
      await run(chosen, preset.value as PresetName);
    } finally {
      busy = false;
      button.disabled = chosen === null;
    }
  });

  const say = (line: string) => {
    text.textContent = line;
  };

  const run = async (file: File, presetName: PresetName) => {
    status.hidden = false;
    uploadBar.value = 0;
    jobBar.value = 0;
    say(`Uploading ${file.name}…`);
    // Bytes storage holds (the SDK's count) plus those of requests in flight; the bar never goes back.
    const inFlight = new Map<object, number>();
    let stored = 0;
    let shownPercent = 0;
    let announced = 0;
    const draw = () => {
      let bytes = stored;
      for (const loaded of inFlight.values()) bytes += loaded;
      const percent = Math.min(100, Math.floor((bytes / file.size) * 100));
      if (percent <= shownPercent) return;
      shownPercent = percent;
      uploadBar.value = percent;
      // Announced in steps of a quarter, so a screen reader is not flooded.
      if (percent >= announced + 25 && percent < 100) {
        announced = percent - (percent % 25);
        say(`Uploading ${file.name}: ${announced} %`);
      }
    };
    const client = session.clientWith(
      progressFetch((request, loaded) => {
        if (loaded === null) inFlight.delete(request);
        else inFlight.set(request, loaded);
        draw();
      }),
    );
    const key = resumeKey(file, presetName);
    try {
      const { jobId } = await client.upload(file, {
        preset: presetName,
        signal: session.signal,
        resume: savedResume(key),
        onResumeState: (state) => localStorage.setItem(key, JSON.stringify(state)),
        onResume: (report) => {
          if (report.kind === "resumed")
            say(`Resuming: ${report.storedParts} of ${report.partCount} parts already stored.`);
        },
        onProgress: (progress) => {
          stored = progress.uploadedBytes;
          draw();
        },
      });
      localStorage.removeItem(key);
      uploadBar.value = 100;
      say(`Uploaded. Job ${jobId} is waiting for a machine.`);
      events.onJob({ jobId });
      const job = await session.client.wait(jobId, {
        signal: session.signal,
        onProgress: (update) => {
          jobBar.value = update.progress;
          say(`Job ${jobId}: ${update.status}${update.status === "running" ? ` ${update.progress} %` : ""}`);
          events.onJob(update);
        },
      });
      jobBar.value = job.status === "completed" ? 100 : jobBar.value;
      say(
        job.error
          ? `Job ${jobId}: ${job.status}: ${job.error.code}: ${job.error.message}`
          : `Job ${jobId}: ${job.status}`,
      );
      events.onDone(job);
    } catch (error) {
      if (!session.signal.aborted) say(`Upload failed: ${describeError(error)}`);
    }
  };
};
