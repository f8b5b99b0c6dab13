// The local S3 server's object-created events, turned into R2 event notifications and posted (signed) to the
// control plane's POST /internal/events, which puts them on the queue R2 feeds in production.
import pRetry from "p-retry";
import { SIGNATURE_HEADER } from "../../core/signature-header.ts";
import { signBody } from "../signing/hmac-signature.ts";
import type { ObjectCreatedEvent, RunningS3 } from "./local-services/running-services.ts";

/** R2's notification body (FACTS: "Event notification message body"). */
export interface R2EventMessage {
  readonly account: string;
  readonly action: "PutObject" | "CompleteMultipartUpload" | "CopyObject";
  readonly bucket: string;
  readonly object: { readonly key: string; readonly size: number; readonly eTag?: string };
  readonly eventTime: string;
}

const ACTIONS: Readonly<Record<ObjectCreatedEvent["eventName"], R2EventMessage["action"]>> = {
  "ObjectCreated:Put": "PutObject",
  // s3rver reports a completed multipart upload as a POST (browser form uploads, which we never issue, too).
  "ObjectCreated:Post": "CompleteMultipartUpload",
  "ObjectCreated:Copy": "CopyObject",
};

/** The R2 message for one object written to the local server. */
export const toR2Event = (event: ObjectCreatedEvent, account: string): R2EventMessage => ({
  account,
  action: ACTIONS[event.eventName],
  bucket: event.bucket,
  object: {
    key: event.key,
    size: event.size,
    ...(event.eTag === undefined ? {} : { eTag: event.eTag }),
  },
  eventTime: event.eventTime,
});

export interface StorageEventRelayOptions {
  readonly s3: RunningS3;
  /** Only this bucket's writes are relayed, as R2 notifies only for the bucket a rule is set on. */
  readonly bucket: string;
  /** The control plane's base URL. */
  readonly apiUrl: string;
  /** The control plane's EVENT_SECRET, which signs relayed events (and nothing else). */
  readonly eventSecret: string;
  readonly account: string;
  readonly log: (line: string) => void;
  readonly now: () => number;
  /** Retries of one event after the first attempt (network errors, 429, 5xx). */
  readonly retries?: number;
}

export interface StorageEventRelay {
  /** Events delivered (accepted by the control plane) so far. */
  delivered(): number;
  /** Stops listening and waits for events already on their way. */
  stop(): Promise<void>;
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

export const startStorageEventRelay = (options: StorageEventRelayOptions): StorageEventRelay => {
  const { s3 } = options;
  if (s3.onObjectCreated === undefined) throw new Error("the S3 server does not report object writes");
  const inFlight = new Set<Promise<void>>();
  let delivered = 0;

  // Signed per attempt: a fresh timestamp, so a retry is a new message rather than a replay.
  const post = async (body: string): Promise<Response> => {
    const response = await fetch(`${options.apiUrl}/internal/events`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: await signBody(options.eventSecret, body, options.now()),
      },
      body,
    });
    if (RETRYABLE(response.status)) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    return response;
  };

  const relay = async (event: ObjectCreatedEvent): Promise<void> => {
    const message = toR2Event(event, options.account);
    const body = JSON.stringify(message);
    const what = `${message.action} ${message.bucket}/${message.object.key} (${message.object.size} bytes)`;
    try {
      const response = await pRetry(() => post(body), {
        retries: options.retries ?? 5,
        minTimeout: 100,
        maxTimeout: 2_000,
        onFailedAttempt: ({ error, attemptNumber }) => {
          options.log(`${what}: attempt ${attemptNumber} failed (${error.message}); retrying`);
        },
      });
      // 409 `replayed`: an earlier attempt got through although its reply was lost.
      const accepted = response.ok || response.status === 409;
      if (accepted) delivered += 1;
      options.log(`${what} → ${response.status} ${accepted ? "" : await response.text()}`.trimEnd());
    } catch (error) {
      options.log(`${what}: not delivered: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const unsubscribe = s3.onObjectCreated((event) => {
    if (event.bucket !== options.bucket) return;
    const task = relay(event).finally(() => inFlight.delete(task));
    inFlight.add(task);
  });

  return {
    delivered: () => delivered,
    async stop() {
      unsubscribe();
      await Promise.allSettled([...inFlight]);
    },
  };
};
