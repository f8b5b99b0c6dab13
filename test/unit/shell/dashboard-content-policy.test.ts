// The dashboard's Content-Security-Policy names exactly the origins its URLs use: itself, object storage, the public
// URL and the media base URL (each once), with no inline code allowed.
import { describe, expect, it } from "vitest";
import { dashboardContentPolicy } from "../../../shell/control-plane/http/dashboard-content-policy.ts";

const directive = (policy: string, name: string) =>
  policy
    .split("; ")
    .find((part) => part.startsWith(`${name} `))
    ?.slice(name.length + 1);

describe("dashboardContentPolicy", () => {
  it.each([
    {
      case: "make dev: the S3 server on another port, PUBLIC_URL on 127.0.0.1",
      origins: {
        storageEndpoint: "http://127.0.0.1:9000",
        publicUrl: "http://127.0.0.1:8787",
        mediaBaseUrl: null,
      },
      allowed: "'self' http://127.0.0.1:9000 http://127.0.0.1:8787",
    },
    {
      case: "R2 with a media CDN",
      origins: {
        storageEndpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
        publicUrl: "https://tcoder.example.com/",
        mediaBaseUrl: "https://media.example.com/hls/",
      },
      allowed:
        "'self' https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com https://tcoder.example.com https://media.example.com",
    },
    {
      case: "no public URL: media URLs use the request's own origin",
      origins: { storageEndpoint: "https://s3.example.net", publicUrl: null, mediaBaseUrl: null },
      allowed: "'self' https://s3.example.net",
    },
    {
      case: "the same origin named twice is listed once",
      origins: {
        storageEndpoint: "https://cdn.example.com",
        publicUrl: "https://tcoder.example.com",
        mediaBaseUrl: "https://tcoder.example.com/media",
      },
      allowed: "'self' https://cdn.example.com https://tcoder.example.com",
    },
  ])("$case", ({ origins, allowed }) => {
    const policy = dashboardContentPolicy(origins);
    expect(directive(policy, "connect-src")).toBe(allowed);
    expect(directive(policy, "img-src")).toBe(allowed);
    expect(directive(policy, "media-src")).toBe(allowed.replace("'self'", "'self' blob:"));
    expect(directive(policy, "default-src")).toBe("'none'");
    expect(directive(policy, "script-src")).toBe("'self'");
    expect(directive(policy, "style-src")).toBe("'self'");
    expect(directive(policy, "frame-ancestors")).toBe("'none'");
  });
});
