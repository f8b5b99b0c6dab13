// The API key, entered once and kept in this browser's localStorage until "Forget key". It is only ever sent in the
// Authorization header (by the SDK), never put in a URL.

const KEY = "tcoder.apiKey";

export const savedKey = (): string | null => {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
};

export const saveKey = (apiKey: string): void => localStorage.setItem(KEY, apiKey);

export const forgetKey = (): void => localStorage.removeItem(KEY);
