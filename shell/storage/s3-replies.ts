// Reads the S3 replies the object store relies on, trusting nothing: every field is checked before it is used.
import { err, ok, type Result } from "neverthrow";
import type { CompletedPart, ListPage, ObjectSummary, StoredPart } from "./object-store.ts";
import { escapeXml, hasXmlRoot, parseS3Error, type S3ErrorBody, xmlElements, xmlText } from "./s3-xml.ts";

export const MAX_PARTS = 10_000;

/** `"abc"` → `abc`; null for a missing or empty ETag. Weak validators (`W/`) never come from S3 writes. */
export const unquoteETag = (raw: string | null): string | null => {
  const value = raw?.trim().replace(/^"(.*)"$/, "$1") ?? "";
  return /^[\x21\x23-\x7e]+$/.test(value) ? value : null;
};

/** A decimal byte count (Content-Length, `<Size>`), or null. */
export const parseByteCount = (raw: string | null): number | null =>
  raw !== null && /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : null;

export const parseInitiateMultipart = (xml: string): Result<{ readonly uploadId: string }, string> => {
  if (!hasXmlRoot(xml, "InitiateMultipartUploadResult")) return err("not an InitiateMultipartUploadResult");
  const uploadId = xmlText(xml, "UploadId");
  return uploadId && uploadId.trim() !== "" ? ok({ uploadId: uploadId.trim() }) : err("no UploadId");
};

/** S3 can answer CompleteMultipartUpload with 200 and an `<Error>` body; that is the `S3ErrorBody` case. */
export const parseCompleteMultipart = (
  xml: string,
): Result<{ readonly eTag: string }, S3ErrorBody | string> => {
  const failure = parseS3Error(xml);
  if (failure !== null) return err(failure);
  if (!hasXmlRoot(xml, "CompleteMultipartUploadResult")) return err("not a CompleteMultipartUploadResult");
  const eTag = unquoteETag(xmlText(xml, "ETag"));
  return eTag === null ? err("no ETag") : ok({ eTag });
};

/**
 * ListObjects (v1) page. v1 rather than v2: its cursor is simply the last key (`marker`), which every S3 server
 * handles alike, where v2's opaque tokens break s3rver on Node ≥ 17 (it encrypts them with DES).
 */
export const parseListObjects = (xml: string): Result<ListPage, string> => {
  if (!hasXmlRoot(xml, "ListBucketResult")) return err("not a ListBucketResult");
  const objects: ObjectSummary[] = [];
  for (const entry of xmlElements(xml, "Contents")) {
    const key = xmlText(entry, "Key");
    const size = parseByteCount(xmlText(entry, "Size"));
    const eTag = unquoteETag(xmlText(entry, "ETag"));
    if (!key || size === null || eTag === null)
      return err(`incomplete <Contents> entry: ${entry.slice(0, 200)}`);
    objects.push({ key, size, eTag });
  }
  const outside = xml.replace(/<Contents(?:\s[^>]*)?>[\s\S]*?<\/Contents\s*>/g, "");
  const truncated = xmlText(outside, "IsTruncated");
  if (truncated !== "true" && truncated !== "false") return err("no IsTruncated");
  if (truncated === "false") return ok({ objects, nextCursor: null });
  const next = xmlText(outside, "NextMarker") || objects.at(-1)?.key;
  return next ? ok({ objects, nextCursor: next }) : err("truncated listing with no key to continue after");
};

/** One ListParts page: its parts, and the marker to continue after (null on the last page). */
export const parseListParts = (
  xml: string,
): Result<{ readonly parts: StoredPart[]; readonly nextMarker: number | null }, string> => {
  if (!hasXmlRoot(xml, "ListPartsResult")) return err("not a ListPartsResult");
  const parts: StoredPart[] = [];
  for (const entry of xmlElements(xml, "Part")) {
    const partNumber = parseByteCount(xmlText(entry, "PartNumber"));
    const size = parseByteCount(xmlText(entry, "Size"));
    const eTag = unquoteETag(xmlText(entry, "ETag"));
    if (partNumber === null || partNumber < 1 || partNumber > MAX_PARTS || size === null || eTag === null)
      return err(`incomplete <Part> entry: ${entry.slice(0, 200)}`);
    parts.push({ partNumber, size, eTag });
  }
  const outside = xml.replace(/<Part(?:\s[^>]*)?>[\s\S]*?<\/Part\s*>/g, "");
  const truncated = xmlText(outside, "IsTruncated");
  if (truncated !== "true" && truncated !== "false") return err("no IsTruncated");
  if (truncated === "false") return ok({ parts, nextMarker: null });
  const next = parseByteCount(xmlText(outside, "NextPartNumberMarker")) ?? parts.at(-1)?.partNumber ?? null;
  return next === null
    ? err("truncated listing with no part to continue after")
    : ok({ parts, nextMarker: next });
};

/** Part numbers strictly ascending in 1..10,000 (S3's rule), at least one part, each with an ETag. */
export const checkCompletedParts = (parts: readonly CompletedPart[]): Result<CompletedPart[], string> => {
  if (parts.length === 0 || parts.length > MAX_PARTS)
    return err(`need 1..${MAX_PARTS} parts, got ${parts.length}`);
  const checked: CompletedPart[] = [];
  let previous = 0;
  for (const part of parts) {
    const eTag = unquoteETag(part.eTag);
    const { partNumber } = part;
    if (!Number.isInteger(partNumber) || partNumber <= previous || partNumber > MAX_PARTS) {
      return err(`part numbers must ascend within 1..${MAX_PARTS}; got ${partNumber} after ${previous}`);
    }
    if (eTag === null) return err(`part ${partNumber} has no usable ETag`);
    checked.push({ partNumber, eTag });
    previous = partNumber;
  }
  return ok(checked);
};

export const completeMultipartXml = (parts: readonly CompletedPart[]): string =>
  `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts
    .map(
      (part) =>
        `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>"${escapeXml(part.eTag)}"</ETag></Part>`,
    )
    .join("")}</CompleteMultipartUpload>`;
