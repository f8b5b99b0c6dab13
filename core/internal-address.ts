// Which addresses and host names a client-supplied URL may not point at (SSRF rules, pure): loopback, private,
// link-local (cloud metadata), carrier-grade NAT, multicast, documentation ranges, internal-looking names, and every
// notation of them: IPv4 as inet_aton reads it (2130706433, 0x7f.1, 017700000001), IPv6 forms that embed IPv4
// (mapped, compatible, translated, NAT64, 6to4), and names written with a trailing dot ("localhost.").

const V4_BLOCKS: readonly (readonly [number, number])[] = [
  [0x00000000, 8], // "this" network
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local (cloud metadata endpoints live here)
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24
  [0xc0000200, 24], // TEST-NET-1
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xc6336400, 24], // TEST-NET-2
  [0xcb007100, 24], // TEST-NET-3
  [0xe0000000, 3], // multicast and reserved, 224/3
];

/** One part of an inet_aton address: hex (0x…), octal (leading 0) or decimal; null if none of them. */
const parseV4Part = (part: string): number | null => {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (/^0[0-7]*$/.test(part)) return Number.parseInt(part, 8);
  if (/^[1-9]\d*$/.test(part)) return Number(part);
  return null;
};

/**
 * An IPv4 address as a 32-bit number, or null, read the way inet_aton and URL parsers read it: one to four parts,
 * each decimal, octal or hex, the last filling the remaining bytes ("127.1", "2130706433"), one trailing dot allowed.
 */
export const parseV4 = (text: string): number | null => {
  const parts = (text.endsWith(".") ? text.slice(0, -1) : text).split(".");
  if (parts.length > 4) return null;
  const values = parts.map(parseV4Part);
  if (values.some((value) => value === null || value > 0xffffffff)) return null;
  const numbers = values as number[];
  const last = numbers.pop() as number;
  if (numbers.some((value) => value > 255) || last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((acc, value, i) => acc + value * 256 ** (3 - i), 0) + last;
};

/** Strictly a.b.c.d in decimal: the only IPv4 notation inside an IPv6 address. */
const parseDottedQuad = (text: string): number | null => {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
};

const v4Blocked = (address: number): boolean =>
  V4_BLOCKS.some(
    ([base, bits]) => Math.floor(address / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
  );

/** The eight 16-bit groups of an IPv6 address, or null. */
const parseV6 = (text: string): number[] | null => {
  let body = text.toLowerCase();
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4?.[1]) {
    const value = parseDottedQuad(v4[1]);
    if (value === null) return null;
    tail.push(Math.floor(value / 65536), value % 65536);
    body = `${body.slice(0, -v4[1].length)}0:0`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string | undefined) => (half ? half.split(":") : []);
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const values = all.map((g) => Number.parseInt(g, 16));
  if (tail.length === 2) values.splice(6, 2, ...tail);
  return values;
};

const zero = (groups: readonly number[]): boolean => groups.every((x) => x === 0);

const v6Blocked = (g: readonly number[]): boolean => {
  const [a = 0, b = 0, c = 0, , e = 0, f = 0, g6 = 0, g7 = 0] = g;
  const lastV4 = g6 * 65536 + g7;
  if (zero(g.slice(0, 6))) return true; // ::, ::1 and IPv4-compatible ::a.b.c.d (deprecated): all of ::/96
  if (zero(g.slice(0, 5)) && f === 0xffff) return v4Blocked(lastV4); // mapped ::ffff:a.b.c.d
  if (zero(g.slice(0, 4)) && e === 0xffff && f === 0) return v4Blocked(lastV4); // translated ::ffff:0:a.b.c.d
  if (a === 0x64 && b === 0xff9b) return !zero(g.slice(2, 6)) || v4Blocked(lastV4); // NAT64; 64:ff9b:1::/48 local
  if (a === 0x2002) return v4Blocked(b * 65536 + c); // 6to4 carries the IPv4 address in groups 2 and 3
  if (a === 0x2001 && b === 0) return true; // Teredo tunnels to an (obfuscated) IPv4 address
  if (a === 0x0100 && zero(g.slice(1, 4))) return true; // discard-only 100::/64
  if ((a & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((a & 0xffc0) === 0xfec0) return true; // site-local fec0::/10 (deprecated)
  if ((a & 0xff00) === 0xff00) return true; // multicast
  return a === 0x2001 && b === 0x0db8; // documentation
};

/** True for an address no client URL may point at. Unparseable input counts as blocked. */
export const isInternalAddress = (address: string): boolean => {
  const bare = address.replace(/^\[|\]$/g, "");
  // A zone ("fe80::1%eth0") only ever scopes a link-local address.
  if (bare.includes(":")) {
    const v6 = bare.includes("%") ? null : parseV6(bare);
    return v6 === null ? true : v6Blocked(v6);
  }
  const v4 = parseV4(bare);
  return v4 === null ? true : v4Blocked(v4);
};

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/i;

/** A last label that is a number: URL parsers read such a host as IPv4, and refuse it when it is not one. */
const ENDS_IN_NUMBER = /(^|\.)(\d+|0x[0-9a-f]*)$/i;

/** An IP literal as a URL's hostname may show it: IPv4 in any inet_aton notation, or (bracketed) IPv6. */
export const isIpLiteral = (host: string): boolean =>
  host.startsWith("[") || host.includes(":") || parseV4(host) !== null;

/**
 * A host a client URL may not name: an internal IP literal, or a name that is internal by its suffix or has no dot
 * (a name resolved by a local search domain). Trailing dots (a fully qualified "localhost.") change nothing. Names
 * that resolve to internal addresses are the shell's to check.
 */
export const isInternalHost = (host: string): boolean => {
  if (isIpLiteral(host)) return isInternalAddress(host);
  const name = host.replace(/\.+$/, "");
  if (name === "" || ENDS_IN_NUMBER.test(name)) return true;
  return INTERNAL_NAMES.test(name) || !name.includes(".");
};
