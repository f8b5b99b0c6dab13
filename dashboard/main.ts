// The dashboard's entry: asks for the API key once (checked with GET /api/stats, then kept in localStorage), then
// wires the usage, upload, job list and job panels to one session. "Forget key" drops the key and reloads the page.
import { createClient, type Stats } from "../sdk/index.ts";
import { describeError, isUnauthorized } from "./describe-error.ts";
import { byId } from "./dom.ts";
import { jobDetail } from "./job-detail.ts";
import { jobList } from "./job-list.ts";
import { forgetKey, savedKey, saveKey } from "./key-store.ts";
import { openSession } from "./session.ts";
import { setUpUpload } from "./upload-panel.ts";
import { showUsage } from "./usage-panel.ts";

const USAGE_REFRESH_MS = 30_000;

const checkKey = (apiKey: string): Promise<Stats> =>
  createClient({ baseUrl: location.origin, apiKey, retries: 1 }).stats();

const start = (apiKey: string, stats: Stats) => {
  byId("key-section").hidden = true;
  byId("app").hidden = false;
  byId("forget-key").hidden = false;
  const session = openSession(apiKey, new AbortController().signal);
  const refreshUsage = () =>
    session.client.stats({ signal: session.signal }).then(showUsage, () => undefined);
  showUsage(stats);
  setInterval(refreshUsage, USAGE_REFRESH_MS);

  const list = jobList(session, (jobId) => void detail.open(jobId));
  const detail = jobDetail(session, () => undefined);
  setUpUpload(session, {
    onJob: () => void list.refresh(),
    onDone: (job) => {
      void list.refresh();
      void refreshUsage();
      void detail.open(job.jobId);
    },
  });
  void list.refresh();
};

const askForKey = (message: string) => {
  const section = byId("key-section");
  const input = byId<HTMLInputElement>("api-key");
  section.hidden = false;
  byId("key-error").textContent = message;
  input.focus();
};

const main = () => {
  const form = byId<HTMLFormElement>("key-form");
  const input = byId<HTMLInputElement>("api-key");
  const errorLine = byId("key-error");
  const submit = form.querySelector("button");
  byId("forget-key").addEventListener("click", () => {
    forgetKey();
    location.reload();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const apiKey = input.value.trim();
    if (apiKey === "") {
      errorLine.textContent = "Enter your API key.";
      return;
    }
    errorLine.textContent = "Checking…";
    if (submit) submit.disabled = true;
    try {
      const stats = await checkKey(apiKey);
      saveKey(apiKey);
      input.value = "";
      errorLine.textContent = "";
      start(apiKey, stats);
    } catch (error) {
      errorLine.textContent = describeError(error);
    } finally {
      if (submit) submit.disabled = false;
    }
  });

  const saved = savedKey();
  if (saved === null) return askForKey("");
  checkKey(saved).then(
    (stats) => start(saved, stats),
    (error: unknown) => {
      // A key the API refuses is dropped; an API that cannot be reached now keeps it for the next visit.
      if (isUnauthorized(error)) forgetKey();
      askForKey(describeError(error));
    },
  );
};

main();
