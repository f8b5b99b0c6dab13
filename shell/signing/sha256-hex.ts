// SHA-256 of a text as lowercase hex, with WebCrypto (workerd, Bun and Node alike).
const encoder = new TextEncoder();

export const sha256Hex = async (text: string): Promise<string> => {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
};
