// What every panel of a signed-in page shares: the key, an SDK client for it, and a signal that ends with the page.
import { createClient, type FetchLike, type TcoderClient } from "../sdk/index.ts";

export interface Session {
  readonly apiKey: string;
  readonly client: TcoderClient;
  /** A client whose fetch is `fetch` (the upload panel's, which reports bytes in flight). */
  clientWith(fetch: FetchLike): TcoderClient;
  readonly signal: AbortSignal;
}

export const openSession = (apiKey: string, signal: AbortSignal): Session => {
  const baseUrl = location.origin;
  return {
    apiKey,
    client: createClient({ baseUrl, apiKey }),
    clientWith: (fetch) => createClient({ baseUrl, apiKey, fetch }),
    signal,
  };
};
