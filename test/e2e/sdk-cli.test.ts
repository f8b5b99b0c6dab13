// The SDK and the tcoder CLI against make dev's stack, as people use them: a 200 MiB upload whose CLI process is
// SIGKILLed half-way and resumed by running the same command again (the parts storage holds are not sent twice,
// counted at the S3 server), a webhook from a real delivery verified on its raw body, a bad key, a file that is not
// a video, and the progress bar under a real pseudo-terminal (script(1)) and without one.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partRange } from "../../core/plan-part-resume.ts";
import { createClient, TcoderError, type UploadResumeState, verifyWebhook } from "../../sdk/index.ts";
import { locateFfmpegTools } from "../services/ffmpeg-tools.ts";
import { makeNoiseVideo } from "../support/make-noise-video.ts";
import { type RawWebhookReceiver, startRawWebhookReceiver } from "../support/raw-webhook-receiver.ts";
import { eventually, sleep, stackPerFile } from "./e2e-stack.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TCODER = join(ROOT, "bin/tcoder");
const MiB = 1024 * 1024;
const PART = 5 * MiB;
const WEBHOOK_SECRET = randomBytes(24).toString("hex");

const file = stackPerFile({
  vars: {
    MULTIPART_THRESHOLD_BYTES: String(PART),
    MULTIPART_PART_BYTES: String(PART),
    WEBHOOK_SECRET,
  },
});
let dir: string;
let ffmpegPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tcoder-sdk-cli-"));
  ffmpegPath = (await locateFfmpegTools()).ffmpegPath;
}, 60_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const cliEnv = (stateDir: string, apiKey = file.current.stack.apiKey) => ({
  ...process.env,
  TCODER_URL: file.current.stack.apiUrl,
  TCODER_API_KEY: apiKey,
  TCODER_STATE_DIR: stateDir,
});

const collect = (child: ChildProcess): Promise<Run> => {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
};

const tcoder = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> =>
  collect(spawn(TCODER, args, { env, stdio: ["ignore", "pipe", "pipe"] }));

const makeVideo = (path: string, seconds: number): Promise<number> =>
  makeNoiseVideo(ffmpegPath, path, seconds);

/** The S3 server's log lines for part PUTs of `filename` that it stored (200). */
const storedPutLines = (filename: string): number =>
  file.current.logs.filter(
    (entry) =>
      entry.source === "s3" &&
      entry.line.startsWith("PUT /tcoder-inputs/uploads/") &&
      entry.line.endsWith(`/${filename} 200`),
  ).length;

describe("tcoder upload: killed half-way, resumed", () => {
  it("a 200 MiB upload SIGKILLed after half its parts resumes without re-sending them, and the job completes", async () => {
    const name = "resume-200mib.mp4";
    const path = join(dir, name);
    const size = await makeVideo(path, 17);
    expect(size).toBeGreaterThan(200 * MiB);
    const partCount = Math.ceil(size / PART);
    const stateDir = join(dir, "state-resume");
    const env = cliEnv(stateDir);
    const args = ["upload", path, "--preset", "default", "--wait", "--json"];

    // First run: killed (no chance to clean up) once the S3 server has stored half of the parts.
    const first = spawn(TCODER, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const firstRun = collect(first);
    // Watched closely: parts land every few milliseconds on this machine.
    const deadline = Date.now() + 60_000;
    while (storedPutLines(name) < partCount / 2 && first.exitCode === null && Date.now() < deadline)
      await sleep(5);
    first.kill("SIGKILL");
    expect((await firstRun).code).toBeNull();
    // Let the S3 server finish (or drop) what the dead process had in flight before counting.
    let quiet = -1;
    await eventually(
      async () => {
        const now = storedPutLines(name);
        const settled = now === quiet;
        quiet = now;
        await sleep(500);
        return settled;
      },
      10_000,
      () => "the S3 server kept storing parts",
    );

    const [stateFile] = await readdir(stateDir);
    const state = JSON.parse(await readFile(join(stateDir, stateFile ?? ""), "utf8")) as UploadResumeState;
    expect(state).toMatchObject({ size, partSize: PART, partCount });
    const listed = await fetch(
      `${file.current.stack.apiUrl}/api/upload/${state.jobId}/parts?uploadId=${encodeURIComponent(state.uploadId)}`,
      { headers: { authorization: `Bearer ${file.current.stack.apiKey}` } },
    );
    const storedBefore = ((await listed.json()) as { parts: { partNumber: number }[] }).parts.map(
      (p) => p.partNumber,
    );
    expect(storedBefore.length).toBeGreaterThanOrEqual(partCount / 2);
    expect(storedBefore.length).toBeLessThan(partCount);

    // Second run: the same command.
    const putsBefore = storedPutLines(name);
    const second = await tcoder(args, env);
    const putsDuring = storedPutLines(name) - putsBefore;
    expect(second.stderr).toContain(`resuming: ${storedBefore.length} of ${partCount} parts already stored`);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as {
      jobId: string;
      upload: { resumedParts: number; sentBytes: number };
      job: { status: string; outputs: { type: string; size: number }[] };
    };
    const missing = Array.from({ length: partCount }, (_, i) => i + 1).filter(
      (n) => !storedBefore.includes(n),
    );
    const missingBytes = missing.reduce((sum, n) => {
      const { start, end } = partRange({ size, partSize: PART, partCount }, n);
      return sum + end - start;
    }, 0);
    expect(report.jobId).toBe(state.jobId);
    expect(report.upload).toEqual({
      multipart: true,
      partCount,
      resumedParts: storedBefore.length,
      sentBytes: missingBytes,
    });
    // Counted at the storage side: exactly the missing parts were stored during the second run.
    expect(putsDuring).toBe(missing.length);
    expect(report.job.status).toBe("completed");
    expect(report.job.outputs.find((o) => o.type === "video")?.size).toBeGreaterThan(200 * MiB);
    // The state is gone once the upload is complete.
    expect(await readdir(stateDir)).toEqual([]);
    process.stderr.write(
      `[resume figures] ${size} bytes in ${partCount} parts; ${storedBefore.length} stored before the kill; ` +
        `the second run sent ${missing.length} parts, ${missingBytes} bytes (${((100 * missingBytes) / size).toFixed(1)} %)\n`,
    );
  });
});

describe("tcoder upload: Ctrl-C", () => {
  it("SIGINT stops the upload with exit 130 and says how to resume; the same command then resumes it", async () => {
    const name = "interrupted.mp4";
    const path = join(dir, name);
    const size = await makeVideo(path, 5);
    const partCount = Math.ceil(size / PART);
    const env = cliEnv(join(dir, "state-sigint"));
    const args = ["upload", path, "--preset", "default"];
    const first = spawn(TCODER, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const firstRun = collect(first);
    const deadline = Date.now() + 60_000;
    while (storedPutLines(name) < 2 && first.exitCode === null && Date.now() < deadline) await sleep(5);
    first.kill("SIGINT");
    const stopped = await firstRun;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(
      new RegExp(`interrupted: \\d+ of ${partCount} parts stored; run the same command`),
    );

    const second = await tcoder(args, env);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`resuming: [1-9]\\d* of ${partCount} parts already stored`));
    expect(second.stdout).toMatch(/^uploaded: job_\w+/);
  });
});

describe("typed failures", () => {
  it("a bad key is a TcoderError 401 in the SDK, and exit 1 with the reason in the CLI", async () => {
    const sdk = createClient({ baseUrl: file.current.stack.apiUrl, apiKey: "tk_wrong_key_0123456789" });
    const failure = await sdk.get("job_anything_at_all").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TcoderError);
    expect(failure).toMatchObject({ status: 401, code: "unauthorized" });
    const run = await tcoder(["stats"], cliEnv(join(dir, "state-bad-key"), "tk_wrong_key_0123456789"));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("(unauthorized, HTTP 401)");
  });

  it("a file that is not a video: the job fails and the CLI exits 1 with the job's reason", async () => {
    const run = await tcoder(
      ["upload", file.media["not-a-video.mp4"], "--preset", "web-optimized", "--wait"],
      cliEnv(join(dir, "state-junk")),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed: job_\w+: unreadable-media: /);
  });
});

describe("webhooks", () => {
  let receiver: RawWebhookReceiver;
  beforeAll(async () => {
    receiver = await startRawWebhookReceiver();
  });
  afterAll(() => receiver.close());

  it("a real delivery verifies with verifyWebhook on its raw body; the same body tampered is refused", async () => {
    const sdk = createClient({ baseUrl: file.current.stack.apiUrl, apiKey: file.current.stack.apiKey });
    const bytes = await readFile(file.media["h264-720p-10s.mp4"]);
    const { jobId } = await sdk.upload(new Blob([bytes]), {
      preset: "default",
      filename: "hooked.mp4",
      webhookUrl: receiver.url,
    });
    expect((await sdk.wait(jobId)).status).toBe("completed");
    await eventually(
      () => receiver.deliveries.some((d) => d.body.includes(jobId)),
      30_000,
      () => `${receiver.deliveries.length} deliveries, none for ${jobId}`,
    );
    const delivery = receiver.deliveries.find((d) => d.body.includes(jobId));
    if (delivery === undefined) throw new Error("unreachable");
    const event = await verifyWebhook(delivery.body, delivery.signature, WEBHOOK_SECRET, Date.now());
    expect(event).toMatchObject({ type: "job.completed", data: { jobId, status: "completed" } });

    const tampered = Buffer.from(delivery.body.toString().replace('"progress":100', '"progress":99'));
    expect(tampered.equals(delivery.body)).toBe(false);
    await expect(
      verifyWebhook(tampered, delivery.signature, WEBHOOK_SECRET, Date.now()),
    ).rejects.toMatchObject({
      code: "bad-signature",
    });
    await expect(
      verifyWebhook(delivery.body, delivery.signature, "not-the-secret", Date.now()),
    ).rejects.toMatchObject({ code: "bad-signature" });
  });
});

describe("the progress bar", () => {
  let video: string;
  beforeAll(async () => {
    video = join(dir, "bar.mp4");
    await makeVideo(video, 2);
  }, 60_000);

  it("under a real pseudo-terminal it redraws in place: cursor to column 1 and clear-right, not new lines", async () => {
    const quoted = [TCODER, "upload", video, "--preset", "default", "--wait"].map((a) => `'${a}'`).join(" ");
    const run = await collect(
      spawn("script", ["-qfec", quoted, "/dev/null"], {
        env: cliEnv(join(dir, "state-pty")),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    expect(run.code).toBe(0);
    const screen = run.stdout;
    const redraws = (label: string) =>
      screen.split("\u001b[1G").filter((chunk) => new RegExp(`^${label} +\\[`).test(chunk)).length;
    // The upload bar is drawn several times (parts land one after another) on one line...
    expect(redraws("upload")).toBeGreaterThanOrEqual(3);
    expect(redraws("transcode")).toBeGreaterThanOrEqual(2);
    expect(screen).toContain("\u001b[0K");
    // ...and no newline between two drawings of the same bar.
    const uploadLine = screen.slice(screen.indexOf("upload    ["), screen.indexOf("uploaded: "));
    expect(uploadLine).not.toMatch(/\n[^\n]*\n/);
    expect(screen).toMatch(/upload {4}\[\u2588{30}\] 100% \| [\d.]+ MiB \/ [\d.]+ MiB/);
    expect(screen).toMatch(/ {2}video 360p +[\d.]+ MiB {2}http:\/\//);
  });

  it("without a terminal it prints plain lines with no escape codes", async () => {
    const run = await tcoder(
      ["upload", video, "--preset", "default", "--wait"],
      cliEnv(join(dir, "state-plain")),
    );
    expect(run.code).toBe(0);
    for (const text of [run.stderr, run.stdout]) {
      expect(text).not.toContain("\u001b");
      expect(text).not.toContain("\r");
    }
    expect(run.stderr).toMatch(/^upload {4}\[#{30}\] 100% \| [\d.]+ MiB \/ [\d.]+ MiB$/m);
    expect(run.stderr).toMatch(/^transcode \[#{30}\] 100% \| completed$/m);
    expect(run.stdout).toMatch(/^job_\w+ +completed +default/m);
  });
});
