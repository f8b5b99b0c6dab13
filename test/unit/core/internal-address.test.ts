// Which addresses and hosts a client URL may not point at: IPv4 in every notation, IPv6 private, loopback,
// link-local, and the forms that embed an IPv4 address (mapped, compatible, translated, NAT64, 6to4), and names.
import { describe, expect, it } from "vitest";
import { isInternalAddress, isInternalHost, isIpLiteral } from "../../../core/internal-address.ts";

describe("isInternalAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.0.10", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["255.255.255.255", true],
    ["8.8.8.8", false],
    // IPv4 as inet_aton reads it: one to four parts, decimal, octal (leading 0) or hex (0x)
    ["2130706433", true],
    ["017700000001", true],
    ["0x7f000001", true],
    ["0x7f.1", true],
    ["0177.0.0.1", true],
    ["127.1", true],
    ["0x7F.0.0.1", true],
    ["134744072", false], // 8.8.8.8
    ["4294967296", true], // out of range: not an address at all
    ["1.2.3.4.5", true],
    ["08.1.1.1", true], // not octal, not decimal: unparseable
    // IPv6
    ["[::1]", true],
    ["::", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["fe80::1%eth0", true],
    ["fec0::1", true], // site-local (deprecated)
    ["ff02::1", true],
    ["100::1", true], // discard-only
    ["2001:db8::1", true],
    ["2606:4700:4700::1111", false],
    ["2001:4860:4860::8888", false],
    // IPv6 forms that embed IPv4
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["[0:0:0:0:0:ffff:127.0.0.1]", true],
    ["::ffff:8.8.8.8", false],
    ["::ffff:0808:0808", false],
    ["::127.0.0.1", true], // IPv4-compatible (deprecated): all of ::/96
    ["::7f00:1", true],
    ["::8.8.8.8", true],
    ["::ffff:0:127.0.0.1", true], // IPv4-translated
    ["64:ff9b::a00:1", true],
    ["64:ff9b::127.0.0.1", true],
    ["64:ff9b::7f00:1", true],
    ["64:ff9b::8.8.8.8", false],
    ["64:ff9b:1::8.8.8.8", true], // local-use NAT64
    ["2002:7f00:1::", true], // 6to4 of 127.0.0.1
    ["2002:c0a8:1::1", true], // 6to4 of 192.168.0.1
    ["2002:808:808::1", false], // 6to4 of 8.8.8.8
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", true], // Teredo
    ["::ffff:1.2.3", true], // malformed tail
    ["not-an-ip", true],
    ["", true],
  ])("%s internal: %s", (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });
});

describe("isInternalHost", () => {
  it.each([
    ["localhost", true],
    ["localhost.", true],
    ["LOCALHOST.", true],
    ["localhost..", true],
    ["api.localhost", true],
    ["api.localhost.", true],
    ["metadata.google.internal", true],
    ["metadata.google.internal.", true],
    ["printer.lan.", true],
    ["router.home.arpa.", true],
    ["metadata", true],
    ["metadata.", true],
    [".", true],
    ["", true],
    ["example.com", false],
    ["example.com.", false],
    ["127.0.0.1", true],
    ["127.0.0.1.", true],
    ["2130706433", true],
    ["0x7f.1", true],
    ["017700000001", true],
    ["[::1]", true],
    ["[::7f00:1]", true],
    ["[::ffff:7f00:1]", true],
    ["[64:ff9b::7f00:1]", true],
    ["[2606:4700:4700::1111]", false],
    ["93.184.216.34", false],
    ["93.184.216.34.", false],
  ])("%j internal: %s", (host, internal) => {
    expect(isInternalHost(host)).toBe(internal);
  });
});

describe("isIpLiteral", () => {
  it.each([
    ["127.0.0.1", true],
    ["0x7f.1", true],
    ["2130706433", true],
    ["[::1]", true],
    ["::1", true],
    ["example.com", false],
    ["localhost.", false],
  ])("%j literal: %s", (host, literal) => {
    expect(isIpLiteral(host)).toBe(literal);
  });
});
