// The dashboard in headless Chromium (playwright-core) against make dev's stack, opened at http://localhost:<port>/
// as the README says (the stack's PUBLIC_URL names 127.0.0.1: media URLs are another origin, as for a user): the
// key entered once, a fixture uploaded through the page (picked for an MP4 job, dropped for an HLS one), each job
// followed to completed and played in the <video> (currentTime advances; HLS through hls.js), both in the job list,
// screenshots at desktop and phone width (.tmp/artefacts/), a multipart upload cut off and resumed after a reload
// (only the parts storage lacks are sent again), a wrong key refused with a clear message, the API key in no URL,
// and no Content-Security-Policy violation along the way.
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { locateFfmpegTools } from "../services/ffmpeg-tools.ts";
import { makeNoiseVideo } from "../support/make-noise-video.ts";
import { eventually, stackPerFile } from "./e2e-stack.ts";
import { launchChromium } from "./launch-chromium.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ARTEFACTS = join(ROOT, ".tmp/artefacts");

const MiB = 1024 * 1024;
// Uploads over 5 MiB go in 5 MiB parts (the fixture videos stay single PUTs).
const file = stackPerFile({
  vars: { MULTIPART_THRESHOLD_BYTES: String(5 * MiB), MULTIPART_PART_BYTES: String(5 * MiB) },
});
let browser: Browser;
let dir: string;

beforeAll(async () => {
  [browser, dir] = await Promise.all([
    launchChromium(),
    mkdtemp(join(tmpdir(), "tcoder-dashboard-")),
    mkdir(ARTEFACTS, { recursive: true }),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The page as the README opens it: localhost, not the 127.0.0.1 of the stack's PUBLIC_URL. */
const dashboardUrl = () => {
  const url = new URL(file.current.stack.apiUrl);
  url.hostname = "localhost";
  return url.toString();
};

interface Watched {
  readonly page: Page;
  /** Console errors and warnings (CSP violations are reported there), and uncaught exceptions. */
  readonly problems: string[];
  readonly requestUrls: string[];
  /** Part numbers of the multipart PUTs the page sent, in order. */
  readonly partPuts: number[];
}

const partNumberOf = (url: string): number | null => {
  const value = new URL(url).searchParams.get("partNumber");
  return value === null ? null : Number(value);
};

const openDashboard = async (width = 1280, height = 900): Promise<Watched> => {
  const page = await browser.newPage({ viewport: { width, height } });
  const problems: string[] = [];
  const requestUrls: string[] = [];
  const partPuts: number[] = [];
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("request", (request) => {
    requestUrls.push(request.url());
    const part = partNumberOf(request.url());
    if (request.method() === "PUT" && part !== null) partPuts.push(part);
  });
  const response = await page.goto(dashboardUrl());
  // The page runs under its policy: scripts from itself only, connections to itself and the S3 server.
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("script-src 'self';");
  expect(policy).toContain(`connect-src 'self' ${new URL(file.current.stack.s3.endpoint).origin}`);
  return { page, problems, requestUrls, partPuts };
};

const enterKey = async (page: Page, key: string) => {
  await page.getByLabel("API key", { exact: true }).fill(key);
  await page.getByRole("button", { name: "Use key" }).click();
};

/** Waits for the upload panel to say the upload or the job ended; answers the job id, which must have completed. */
const uploadedJob = async (page: Page): Promise<string> => {
  const status = page.locator("#upload-text");
  await expect
    .poll(() => status.textContent(), { timeout: 60_000, interval: 250 })
    .toMatch(/: (completed|failed|cancelled)\b|^Upload failed/);
  const text = (await status.textContent()) ?? "";
  expect(text).toMatch(/^Job job_\w+: completed$/);
  return /Job (job_\w+)/.exec(text)?.[1] ?? "";
};

/** The open job's <video> plays: muted play() through the element, then currentTime moves past 1 s. */
const expectPlays = async (page: Page, player: "file" | "hls.js") => {
  const video = page.locator(`video#player[data-player="${player}"]`);
  await video.waitFor({ state: "visible", timeout: 15_000 });
  await video.evaluate(async (element) => {
    const media = element as unknown as { muted: boolean; play(): Promise<void> };
    media.muted = true;
    await media.play();
  });
  await expect
    .poll(() => video.evaluate((element) => (element as unknown as { currentTime: number }).currentTime), {
      timeout: 20_000,
      interval: 200,
    })
    .toBeGreaterThan(1);
  expect(await video.getAttribute("poster")).toMatch(/^http/);
};

describe("the dashboard in a browser", () => {
  it("refuses a wrong key with a clear message and keeps nothing", async () => {
    const { page, requestUrls } = await openDashboard();
    await enterKey(page, "tk_wrong_key_0123456789abcdef");
    await expect
      .poll(() => page.getByRole("alert").first().textContent(), { timeout: 10_000 })
      .toContain("The API refused this key (401 unauthorized)");
    expect(await page.locator("#app").isHidden()).toBe(true);
    expect(await page.evaluate("Object.keys(localStorage)")).toEqual([]);
    expect(requestUrls.filter((url) => url.includes("tk_wrong_key"))).toEqual([]);
    await page.close();
  });

  it("uploads an MP4 job and an HLS job through the page, follows them to completed and plays both", async () => {
    const { stack } = file.current;
    const fixture = file.media["h264-720p-10s.mp4"];
    const { page, problems, requestUrls } = await openDashboard();

    await enterKey(page, stack.apiKey);
    await page.locator("#app").waitFor({ state: "visible" });
    // Entered once: a reload signs straight in from localStorage.
    await page.reload();
    await page.locator("#app").waitFor({ state: "visible" });
    expect(await page.locator("#key-section").isHidden()).toBe(true);
    await expect.poll(() => page.locator("#key-spend").textContent()).toMatch(/^\$0\.00/);

    // web-optimized (MP4), the file picked with the input.
    await page.getByLabel("Preset").selectOption("web-optimized");
    await page.getByLabel("Choose a video").setInputFiles(fixture);
    await page.getByRole("button", { name: "Upload" }).click();
    const mp4Job = await uploadedJob(page);
    expect(
      await page.locator("#upload-progress").evaluate((bar) => (bar as unknown as { value: number }).value),
    ).toBe(100);
    await expect.poll(() => page.locator("#job-heading").textContent()).toBe(`Job ${mp4Job}`);
    await expectPlays(page, "file");
    expect(await page.locator("#outputs").textContent()).toContain("video/mp4");

    // hls, the file dropped on the drop zone.
    await page.getByLabel("Preset").selectOption("hls");
    const bytes = (await readFile(fixture)).toString("base64");
    // A DataTransfer holding the file, made in the page (browser code as text: this file has no DOM types).
    const dropped = await page.evaluateHandle(`(() => {
      const raw = atob(${JSON.stringify(bytes)});
      const data = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i += 1) data[i] = raw.charCodeAt(i);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], ${JSON.stringify(`dropped-${basename(fixture)}`)}, { type: "video/mp4" }));
      return transfer;
    })()`);
    await page.dispatchEvent("#drop-zone", "drop", { dataTransfer: dropped });
    await expect.poll(() => page.locator("#file-name").textContent()).toContain("dropped-h264-720p-10s.mp4");
    await page.getByRole("button", { name: "Upload" }).click();
    const hlsJob = await uploadedJob(page);
    await expect.poll(() => page.locator("#job-heading").textContent()).toBe(`Job ${hlsJob}`);
    await expectPlays(page, "hls.js");
    expect(await page.locator("#outputs").textContent()).toContain("hls-master");

    // The record, as JSON.
    await page.locator("#record summary").click();
    await expect.poll(() => page.locator("#record-json").textContent()).toContain('"ffmpegVersion"');

    // The list: both jobs, completed, with their presets and costs.
    await page.getByRole("button", { name: "Refresh" }).click();
    for (const [jobId, preset] of [
      [mp4Job, "web-optimized"],
      [hlsJob, "hls"],
    ] as const) {
      const row = page.locator(`tr[data-job-id="${jobId}"]`);
      await expect.poll(() => row.textContent()).toContain("completed");
      expect(await row.locator('td[data-label="Preset"]').textContent()).toBe(preset);
      expect(await row.locator('td[data-label="Cost"]').textContent()).toMatch(/^\$\d/);
    }

    await page.screenshot({ path: join(ARTEFACTS, "dashboard.png"), fullPage: true });
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(ARTEFACTS, "dashboard-360.png"), fullPage: true });

    expect(requestUrls.filter((url) => url.includes(stack.apiKey))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("resumes a multipart upload cut off by a refused part after a reload, sending only the parts storage lacks", async () => {
    const { stack } = file.current;
    const video = join(dir, "resume-me.mp4");
    const size = await makeNoiseVideo((await locateFfmpegTools()).ffmpegPath, video, 1);
    expect(size).toBeGreaterThan(10 * MiB); // parts of 5 MiB: at least three
    const partCount = Math.ceil(size / (5 * MiB));
    const { page, problems, partPuts } = await openDashboard();
    await enterKey(page, stack.apiKey);
    await page.locator("#app").waitFor({ state: "visible" });

    // "Storage" refuses part 2 once every other part is stored: the upload stops there.
    const stored = new Set<number>();
    page.on("requestfinished", (request) => {
      const part = partNumberOf(request.url());
      if (request.method() === "PUT" && part !== null) stored.add(part);
    });
    const others = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => n !== 2);
    const isPart2 = (url: URL) => url.searchParams.get("partNumber") === "2";
    await page.route(isPart2, async (route) => {
      await eventually(
        () => others.every((n) => stored.has(n)),
        20_000,
        () => `stored: ${[...stored]}`,
      );
      await route.fulfill({
        status: 400,
        headers: { "access-control-allow-origin": "*", "content-type": "application/xml" },
        body: "<Error><Code>InvalidPart</Code><Message>refused by the test</Message></Error>",
      });
    });
    await page.getByLabel("Preset").selectOption("default");
    await page.getByLabel("Choose a video").setInputFiles(video);
    await page.getByRole("button", { name: "Upload" }).click();
    const status = page.locator("#upload-text");
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/^Upload failed: .*InvalidPart/);
    const resumeKeys = "Object.keys(localStorage).filter((key) => key.startsWith('tcoder.resume:'))";
    expect(await page.evaluate(resumeKeys)).toEqual([
      expect.stringMatching(/^tcoder\.resume:default:resume-me\.mp4:/),
    ]);
    expect([...partPuts].sort((a, b) => a - b)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1));

    // A reload, storage accepting again, the same file: only part 2 goes up, and the job completes.
    await page.unroute(isPart2);
    await page.reload();
    await page.locator("#app").waitFor({ state: "visible" });
    const before = partPuts.length;
    // Every line the status says, kept by an observer (they follow each other quickly).
    await page.evaluate(`(() => {
      const text = document.getElementById("upload-text");
      window.said = [];
      new MutationObserver(() => window.said.push(text.textContent)).observe(text, { childList: true });
    })()`);
    await page.getByLabel("Preset").selectOption("default");
    await page.getByLabel("Choose a video").setInputFiles(video);
    await page.getByRole("button", { name: "Upload" }).click();
    await uploadedJob(page);
    expect(partPuts.slice(before)).toEqual([2]);
    expect(await page.evaluate("window.said")).toContain(
      `Resuming: ${partCount - 1} of ${partCount} parts already stored.`,
    );
    expect(await page.evaluate(resumeKeys)).toEqual([]);
    // The browser logs the refused part; nothing else went wrong.
    expect(problems.filter((line) => !line.includes("status of 400 (Bad Request)"))).toEqual([]);
    await page.close();
  });
});
