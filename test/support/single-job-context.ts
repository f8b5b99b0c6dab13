// What the single-job tests share: the fixtures, a private directory, a fresh S3 bucket for presigned URLs and a
// callback receiver; set up once per file, torn down after it.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { ensureFixtures, type FixtureName } from "../../scripts/make-fixtures.ts";
import type { ObjectStore } from "../../shell/storage/object-store.ts";
import { createS3ObjectStore } from "../../shell/storage/s3-object-store.ts";
import { createTestBucket } from "../services/test-namespace.ts";
import { type CallbackReceiver, startCallbackReceiver } from "./callback-receiver.ts";

export interface SingleJobContext {
  readonly media: Record<FixtureName, string>;
  readonly dir: string;
  readonly bucket: ObjectStore;
  readonly receiver: CallbackReceiver;
  close(): Promise<void>;
}

export const startSingleJobContext = async (name: string): Promise<SingleJobContext> => {
  const { ffmpegPath, ffprobePath } = inject("ffmpeg");
  const media = await ensureFixtures({ ffmpegPath, ffprobePath });
  const dir = await mkdtemp(join(tmpdir(), `tcoder-${name}-`));
  const s3 = inject("s3");
  const bucket = createS3ObjectStore(
    {
      endpoint: s3.endpoint,
      bucket: await createTestBucket(s3, name),
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    },
    { now: Date.now },
  );
  const receiver = await startCallbackReceiver(randomBytes(16).toString("hex"));
  return {
    media,
    dir,
    bucket,
    receiver,
    close: async () => {
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
