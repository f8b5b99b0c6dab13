// fetchOutbound over an injected resolver and connection: a name is resolved once per hop, every address is checked,
// the connection goes to the address that was checked (DNS rebinding), and network errors reach clients as reasons.
import { describe, expect, it } from "vitest";
import type { OutboundFetch } from "../../../shell/control-plane/config/control-plane-deps.ts";
import { fetchOutbound, type OutboundDeps } from "../../../shell/control-plane/outbound/fetch-outbound.ts";

const PUBLIC = "93.184.216.34";
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** A resolver whose answers per name are scripted call by call (the last answer repeats), counting calls. */
const scripted = (answers: Record<string, readonly (readonly string[])[]>) => {
  const calls: string[] = [];
  const resolveHost = async (host: string): Promise<readonly string[]> => {
    const seen = calls.filter((h) => h === host).length;
    calls.push(host);
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return list[Math.min(seen, list.length - 1)] ?? [];
  };
  return { resolveHost, calls };
};

/** The connection port: records where each request was told to connect, answers from `reply`. */
const recording = (reply: (url: string) => Response | Promise<Response>) => {
  const connections: { url: string; address: string | null }[] = [];
  const outbound: OutboundFetch = async (url, _init, address) => {
    connections.push({ url, address });
    return reply(url);
  };
  return { outbound, connections };
};

const depsWith = (
  resolveHost: OutboundDeps["resolveHost"],
  outbound: OutboundFetch,
  allowPrivateUrls = false,
): OutboundDeps => ({ config: { allowPrivateUrls }, resolveHost, outbound, log: quiet });

const get = (deps: OutboundDeps, url: string) =>
  fetchOutbound(deps, url, { method: "GET", signal: AbortSignal.timeout(5_000) });

describe("fetchOutbound and DNS", () => {
  it("connects to the address it checked, even when the name resolves elsewhere a moment later", async () => {
    const dns = scripted({ "videos.example.com": [[PUBLIC], ["127.0.0.1"]] });
    const net = recording(() => new Response("ok"));
    const fetched = await get(depsWith(dns.resolveHost, net.outbound), "http://videos.example.com/a.mp4");
    expect(fetched.isOk()).toBe(true);
    expect(dns.calls).toEqual(["videos.example.com"]);
    expect(net.connections).toEqual([{ url: "http://videos.example.com/a.mp4", address: PUBLIC }]);
  });

  it.each([
    [
      "a name resolving to loopback",
      { "rebind.example.com": [["127.0.0.1"]] },
      "http://rebind.example.com/x",
    ],
    [
      "a name with one internal address among public ones",
      { "mixed.example.com": [[PUBLIC, "10.0.0.7"]] },
      "http://mixed.example.com/x",
    ],
    [
      "a name resolving to an IPv4-mapped loopback",
      { "v6.example.com": [["::ffff:127.0.0.1"]] },
      "http://v6.example.com/x",
    ],
    // Were these names resolved, they would look public: the name alone must refuse them.
    ["localhost with a trailing dot", { "localhost.": [[PUBLIC]] }, "http://localhost./x"],
    [
      "a metadata name with a trailing dot",
      { "metadata.google.internal.": [[PUBLIC]] },
      "http://metadata.google.internal./computeMetadata/v1/",
    ],
    ["an IPv4-compatible IPv6 loopback", {}, "http://[::127.0.0.1]/x"],
    ["a NAT64 loopback", {}, "http://[64:ff9b::127.0.0.1]/x"],
    ["a decimal loopback", {}, "http://2130706433/x"],
    ["a hex loopback", {}, "http://0x7f.1/x"],
    ["an octal loopback", {}, "http://017700000001/x"],
  ])("refuses %s without connecting", async (_name, answers, url) => {
    const dns = scripted(answers);
    const net = recording(() => new Response("ok"));
    const fetched = await get(depsWith(dns.resolveHost, net.outbound), url);
    expect(fetched._unsafeUnwrapErr().kind).toBe("url-not-allowed");
    expect(net.connections).toEqual([]);
  });

  it("checks and pins every redirect hop on its own", async () => {
    const dns = scripted({ "a.example.com": [[PUBLIC]], "b.example.com": [["192.168.1.1"]] });
    const net = recording(
      () => new Response(null, { status: 302, headers: { location: "http://b.example.com/" } }),
    );
    const fetched = await get(depsWith(dns.resolveHost, net.outbound), "http://a.example.com/");
    expect(fetched._unsafeUnwrapErr().kind).toBe("url-not-allowed");
    expect(net.connections).toEqual([{ url: "http://a.example.com/", address: PUBLIC }]);
  });

  it("leaves the connection unpinned where the runtime cannot resolve (Workers)", async () => {
    const net = recording(() => new Response("ok"));
    expect((await get(depsWith(null, net.outbound), "https://videos.example.com/a.mp4")).isOk()).toBe(true);
    expect(net.connections[0]?.address).toBeNull();
  });
});

describe("fetchOutbound's failures, as clients see them", () => {
  it("names a short reason, never the network error's text", async () => {
    const dns = scripted({ "videos.example.com": [[PUBLIC]] });
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 10.20.30.40:8080"), { code: "ECONNREFUSED" }),
    });
    const net = recording(() => Promise.reject(refused));
    const error = (
      await get(depsWith(dns.resolveHost, net.outbound), "http://videos.example.com/")
    )._unsafeUnwrapErr();
    expect(error).toEqual({
      kind: "ingest-failed",
      message: "fetching videos.example.com failed: connection-refused",
    });
  });

  it("says a name that does not resolve does not resolve, without the resolver's text", async () => {
    const dns = scripted({});
    const net = recording(() => new Response("ok"));
    const error = (
      await get(depsWith(dns.resolveHost, net.outbound), "http://nowhere.example.com/")
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("url-not-allowed");
    expect(error.message).toBe("the host nowhere.example.com does not resolve");
  });
});
