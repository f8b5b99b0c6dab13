// The object store's pure pieces: SigV4 presigning against AWS's published example, XML replies, keys, config.
// Pure tests (no service); they sit here because the storage helper owns only object-store-* test files.
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { assertObjectKey, encodeObjectKey, objectUrl } from "../../shell/storage/object-url.ts";
import { createS3ObjectStore, r2Endpoint } from "../../shell/storage/s3-object-store.ts";
import {
  checkCompletedParts,
  completeMultipartXml,
  parseCompleteMultipart,
  parseInitiateMultipart,
  parseListObjects,
  unquoteETag,
} from "../../shell/storage/s3-replies.ts";
import { createS3Signer, toAmzDate } from "../../shell/storage/s3-signer.ts";
import { parseS3StoreConfig } from "../../shell/storage/s3-store-config.ts";
import { decodeXmlText, escapeXml, parseS3Error, xmlText } from "../../shell/storage/s3-xml.ts";
import { splitIntoParts } from "../../shell/storage/split-into-parts.ts";

describe("presigning", () => {
  // AWS, "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", the worked GET example
  // (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html): its published signature.
  it("reproduces AWS's published presigned-URL example from the injected clock", async () => {
    const client = new AwsClient({
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      service: "s3",
      region: "us-east-1",
    });
    const signer = createS3Signer(client, () => Date.UTC(2013, 4, 24, 0, 0, 0));
    const signed = await signer.presign(
      "GET",
      new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      {},
      86400,
    );
    const query = new URL(signed.url).searchParams;
    expect(query.get("X-Amz-Date")).toBe("20130524T000000Z");
    expect(query.get("X-Amz-Credential")).toBe("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request");
    expect(query.get("X-Amz-SignedHeaders")).toBe("host");
    expect(query.get("X-Amz-Signature")).toBe(
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    );
    expect(signed.expiresAt).toBe(Date.UTC(2013, 4, 25, 0, 0, 0));
  });

  it.each([
    { when: "2026-11-02T03:04:05.678Z", then: "20261102T030405Z" },
    { when: "1999-12-31T23:59:59.999Z", then: "19991231T235959Z" },
  ])("formats $when as $then", ({ when, then }) => {
    expect(toAmzDate(Date.parse(when))).toBe(then);
  });

  const store = createS3ObjectStore(
    { endpoint: "https://example.invalid", bucket: "media", accessKeyId: "id", secretAccessKey: "secret" },
    { now: () => Date.UTC(2026, 10, 2) },
  );

  it.each([0, -1, 1.5, 604_801, Number.NaN])("refuses an expiry of %s seconds", (seconds) => {
    expect(() => store.presignGet("k", { expiresInSeconds: seconds })).toThrow(RangeError);
    expect(() => store.presignPut("k", { contentType: "video/mp4", expiresInSeconds: seconds })).toThrow(
      RangeError,
    );
  });

  it.each([1, 900, 604_800])("accepts an expiry of %s seconds", async (seconds) => {
    const signed = (await store.presignGet("k", { expiresInSeconds: seconds }))._unsafeUnwrap();
    expect(new URL(signed.url).searchParams.get("X-Amz-Expires")).toBe(String(seconds));
    expect(signed.expiresAt).toBe(Date.UTC(2026, 10, 2) + seconds * 1000);
  });

  it("signs content-type (and content-length when given) into a presigned PUT", async () => {
    const signed = (
      await store.presignPut("in/a.mp4", {
        contentType: "video/mp4",
        expiresInSeconds: 60,
        contentLength: 99,
      })
    )._unsafeUnwrap();
    expect(new URL(signed.url).searchParams.get("X-Amz-SignedHeaders")).toBe(
      "content-length;content-type;host",
    );
    expect(signed.headers).toEqual({ "content-type": "video/mp4", "content-length": "99" });
  });
});

describe("object keys and URLs", () => {
  it.each([
    { key: "uploads/job_123/clip.mp4", then: "uploads/job_123/clip.mp4" },
    { key: "a dir/it's (1)!*.mp4", then: "a%20dir/it%27s%20%281%29%21%2A.mp4" },
    { key: "ü/100%+#?.ts", then: "%C3%BC/100%25%2B%23%3F.ts" },
  ])("encodes $key per segment", ({ key, then }) => {
    expect(encodeObjectKey(key)).toBe(then);
    expect(objectUrl("http://127.0.0.1:9000", "media", key).pathname).toBe(`/media/${then}`);
  });

  it.each(["", "a/../b", "./a", "a/..", "x".repeat(1025)])("refuses the key %j", (key) => {
    expect(() => assertObjectKey(key)).toThrow(RangeError);
  });

  it("builds an R2 endpoint from an account id", () => {
    expect(r2Endpoint("0123456789ABCDEF0123456789abcdef")).toBe(
      "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
    );
    expect(() => r2Endpoint("acct.evil.example")).toThrow();
  });
});

describe("config", () => {
  const good = {
    endpoint: "http://127.0.0.1:9000/",
    bucket: "media",
    accessKeyId: "id",
    secretAccessKey: "s3cr3t",
  };

  it("fills defaults and trims the endpoint", () => {
    expect(parseS3StoreConfig(good)).toEqual({
      ...good,
      endpoint: "http://127.0.0.1:9000",
      region: "auto",
      timeoutMs: 30_000,
      retry: { retries: 3, minTimeoutMs: 100, maxTimeoutMs: 2_000 },
    });
  });

  it.each([
    { field: "endpoint", bad: { endpoint: "ftp://host" } },
    { field: "endpoint", bad: { endpoint: "https://host/bucket" } },
    { field: "bucket", bad: { bucket: "Media_Bucket" } },
    { field: "accessKeyId", bad: { accessKeyId: "" } },
    { field: "timeoutMs", bad: { timeoutMs: 0 } },
  ])("throws on a bad $field", ({ field, bad }) => {
    expect(() => parseS3StoreConfig({ ...good, ...bad })).toThrow(field);
  });

  it("never echoes the secret", () => {
    const secret = 12345678 as unknown as string;
    expect(() => parseS3StoreConfig({ ...good, secretAccessKey: secret })).toThrow(
      /secretAccessKey: invalid$/,
    );
  });
});

describe("XML replies", () => {
  it("decodes the five entities, numeric references and CDATA, and nothing else", () => {
    expect(decodeXmlText("a&lt;b&gt;&amp;&quot;&apos;&#233;&#x1F600;")).toBe("a<b>&\"'é😀");
    expect(decodeXmlText("&ext; &#x110000;")).toBe("&ext; &#x110000;");
    expect(decodeXmlText("<![CDATA[<raw & text>]]>")).toBe("<raw & text>");
    expect(escapeXml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    expect(xmlText("<A><B>1</B><B>2</B></A>", "B")).toBe("1");
    expect(xmlText("<A><B/></A>", "B")).toBe("");
    expect(xmlText("<A><BB>1</BB></A>", "B")).toBeNull();
  });

  it("reads S3 error documents and nothing else as errors", () => {
    expect(
      parseS3Error('<?xml version="1.0"?>\n<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>'),
    ).toEqual({
      code: "NoSuchKey",
      message: "gone",
    });
    expect(parseS3Error("<html><Error>no</Error></html>")).toBeNull();
  });

  const list = (body: string, truncated: string) =>
    `<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>` +
    `<Prefix>p/</Prefix><IsTruncated>${truncated}</IsTruncated>${body}</ListBucketResult>`;
  const entry = (key: string, size: string, eTag = "&quot;abc&quot;") =>
    `<Contents><Key>${key}</Key><LastModified>2026-01-01T00:00:00Z</LastModified><ETag>${eTag}</ETag><Size>${size}</Size></Contents>`;

  it.each([
    {
      given: "a last page",
      xml: list(entry("p/a&amp;b", "3") + entry("p/c", "0"), "false"),
      then: {
        objects: [
          { key: "p/a&b", size: 3, eTag: "abc" },
          { key: "p/c", size: 0, eTag: "abc" },
        ],
        nextCursor: null,
      },
    },
    {
      given: "a truncated page without NextMarker (no delimiter)",
      xml: list(entry("p/a", "1") + entry("p/b", "2"), "true"),
      then: {
        objects: [
          { key: "p/a", size: 1, eTag: "abc" },
          { key: "p/b", size: 2, eTag: "abc" },
        ],
        nextCursor: "p/b",
      },
    },
    {
      given: "a truncated page with NextMarker",
      xml: list(`${entry("p/a", "1")}<NextMarker>p/z</NextMarker>`, "true"),
      then: { objects: [{ key: "p/a", size: 1, eTag: "abc" }], nextCursor: "p/z" },
    },
    { given: "an empty listing", xml: list("", "false"), then: { objects: [], nextCursor: null } },
  ])("lists $given", ({ xml, then }) => {
    expect(parseListObjects(xml)._unsafeUnwrap()).toEqual(then);
  });

  it.each([
    { given: "not a listing", xml: "<html/>" },
    { given: "a negative size", xml: list(entry("p/a", "-1"), "false") },
    { given: "no ETag", xml: list(entry("p/a", "1", ""), "false") },
    { given: "no IsTruncated", xml: list("", "maybe") },
    { given: "truncated with nothing to continue after", xml: list("", "true") },
  ])("refuses a listing with $given", ({ xml }) => {
    expect(parseListObjects(xml).isErr()).toBe(true);
  });

  it("reads multipart replies, including S3's 200-with-<Error> completion", () => {
    expect(
      parseInitiateMultipart(
        "<InitiateMultipartUploadResult><Bucket>b</Bucket><UploadId>abc-1</UploadId></InitiateMultipartUploadResult>",
      )._unsafeUnwrap(),
    ).toEqual({ uploadId: "abc-1" });
    expect(parseInitiateMultipart("<InitiateMultipartUploadResult/>").isErr()).toBe(true);
    expect(
      parseCompleteMultipart(
        "<CompleteMultipartUploadResult><ETag>&quot;d41d-2&quot;</ETag></CompleteMultipartUploadResult>",
      )._unsafeUnwrap(),
    ).toEqual({ eTag: "d41d-2" });
    expect(
      parseCompleteMultipart(
        "<Error><Code>InternalError</Code><Message>m</Message></Error>",
      )._unsafeUnwrapErr(),
    ).toEqual({ code: "InternalError", message: "m" });
  });

  it("checks and writes a completion's parts list", () => {
    expect(
      checkCompletedParts([
        { partNumber: 1, eTag: '"a"' },
        { partNumber: 3, eTag: "b" },
      ])._unsafeUnwrap(),
    ).toEqual([
      { partNumber: 1, eTag: "a" },
      { partNumber: 3, eTag: "b" },
    ]);
    expect(checkCompletedParts([]).isErr()).toBe(true);
    expect(
      checkCompletedParts([
        { partNumber: 2, eTag: "a" },
        { partNumber: 2, eTag: "b" },
      ]).isErr(),
    ).toBe(true);
    expect(checkCompletedParts([{ partNumber: 0, eTag: "a" }]).isErr()).toBe(true);
    expect(checkCompletedParts([{ partNumber: 10_001, eTag: "a" }]).isErr()).toBe(true);
    expect(checkCompletedParts([{ partNumber: 1, eTag: '""' }]).isErr()).toBe(true);
    expect(completeMultipartXml([{ partNumber: 1, eTag: "a&b" }])).toBe(
      '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>"a&amp;b"</ETag></Part></CompleteMultipartUpload>',
    );
    expect([unquoteETag('"x"'), unquoteETag("x"), unquoteETag(null), unquoteETag('"a"b"')]).toEqual([
      "x",
      "x",
      null,
      null,
    ]);
  });
});

describe("splitting a stream into parts", () => {
  const streamOf = (chunks: number[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        let next = 0;
        for (const size of chunks) controller.enqueue(Uint8Array.from({ length: size }, () => next++ % 251));
        controller.close();
      },
    });

  it.each([
    { chunks: [10], partSize: 4, then: [4, 4, 2] },
    { chunks: [3, 3, 3, 3], partSize: 4, then: [4, 4, 4] },
    { chunks: [1, 7, 1], partSize: 4, then: [4, 4, 1] },
    { chunks: [], partSize: 4, then: [] },
  ])("cuts $chunks into parts of $partSize", async ({ chunks, partSize, then }) => {
    const parts: Uint8Array[] = [];
    for await (const part of splitIntoParts(streamOf(chunks), partSize)) parts.push(part);
    expect(parts.map((part) => part.byteLength)).toEqual(then);
    const joined = parts.flatMap((part) => [...part]);
    expect(joined).toEqual(Array.from({ length: joined.length }, (_, i) => i % 251));
  });
});
