// Turns a raw Redis reply (Buffers, integers, nil, nested arrays) into the JSON value Upstash's REST API returns.

/** A reply as ioredis hands it over in buffer mode; errors only appear nested (EXEC results, Lua tables). */
export type RedisReply = Buffer | string | number | null | Error | readonly RedisReply[];

export type JsonReply = string | number | null | readonly JsonReply[];

/** "base64" when the request carried `Upstash-Encoding: base64`, otherwise plain UTF-8 strings. */
export type ReplyEncoding = "base64" | "utf8";

const OK = Buffer.from("OK");

/**
 * Encodes one command's reply. Only a top-level "OK" escapes base64: @upstash/redis decodes every string
 * inside an array with atob, so an unencoded "OK" there would come back as "8".
 */
export function encodeReply(reply: RedisReply, encoding: ReplyEncoding): JsonReply {
  if (encoding === "base64" && isOk(reply)) return "OK";
  return encodeValue(reply, encoding);
}

function encodeValue(reply: RedisReply, encoding: ReplyEncoding): JsonReply {
  if (reply === null || typeof reply === "number") return reply;
  if (isReplyList(reply)) return reply.map((item) => encodeValue(item, encoding));
  const bytes = toBytes(reply);
  return encoding === "base64" ? bytes.toString("base64") : bytes.toString("utf8");
}

function toBytes(value: Buffer | string | Error): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value instanceof Error) return Buffer.from(value.message, "utf8");
  throw new TypeError(`unexpected Redis reply of type ${typeof value}`);
}

// Array.isArray does not narrow readonly arrays out of a union.
function isReplyList(reply: RedisReply): reply is readonly RedisReply[] {
  return Array.isArray(reply);
}

function isOk(reply: RedisReply): boolean {
  if (typeof reply === "string") return reply === "OK";
  return Buffer.isBuffer(reply) && reply.equals(OK);
}
