// One sentence for anything the SDK throws, as the page shows it: the API's own code and message when it answered.
import { TcoderError, TcoderNetworkError } from "../sdk/index.ts";

export const describeError = (error: unknown): string => {
  if (error instanceof TcoderError) {
    if (error.status === 401)
      return `The API refused this key (401 ${error.code}): check it and enter it again.`;
    const wait = error.retryAfter === undefined ? "" : ` Try again in ${error.retryAfter} s.`;
    return `${error.message} (${error.status} ${error.code}).${wait}`;
  }
  if (error instanceof TcoderNetworkError) return `TCoder could not be reached: ${error.message}`;
  if (error instanceof DOMException && error.name === "AbortError") return "Stopped.";
  return error instanceof Error ? error.message : String(error);
};

export const isUnauthorized = (error: unknown): boolean =>
  error instanceof TcoderError && error.status === 401;
