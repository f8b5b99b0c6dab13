// Which addresses and host names a client-supplied URL may not point at (SSRF rules, pure): loopback, private,
// link-local (cloud metadata), carrier-grade NAT, multicast, documentation ranges, and internal-looking names.

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

/** An IPv4 address as a 32-bit number, or null. */
export const parseV4 = (text: string): number | null => {
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
    const value = parseV4(v4[1]);
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

const v6Blocked = (g: readonly number[]): boolean => {
  const [a = 0, b = 0, , , , f = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = g6 * 65536 + g7;
  if (g.slice(0, 7).every((x) => x === 0)) return true; // :: and ::1
  if (g.slice(0, 5).every((x) => x === 0) && f === 0xffff) return v4Blocked(embeddedV4); // ::ffff:a.b.c.d
  if (a === 0x64 && b === 0xff9b) return v4Blocked(embeddedV4); // NAT64
  if ((a & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((a & 0xff00) === 0xff00) return true; // multicast
  return a === 0x2001 && b === 0x0db8; // documentation
};

/** True for an address no client URL may point at. Unparseable input counts as blocked. */
export const isInternalAddress = (address: string): boolean => {
  const bare = address.replace(/^\[|\]$/g, "");
  const v4 = parseV4(bare);
  if (v4 !== null) return v4Blocked(v4);
  const v6 = parseV6(bare);
  return v6 === null ? true : v6Blocked(v6);
};

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/i;

/** An IP literal as a URL's hostname shows it: dotted IPv4, or bracketed IPv6. */
export const isIpLiteral = (host: string): boolean => parseV4(host) !== null || host.startsWith("[");

/**
 * A host a client URL may not name: an internal IP literal, or a name that is internal by its suffix or has no dot
 * (a name resolved by a local search domain). Names that resolve to internal addresses are the shell's to check.
 */
export const isInternalHost = (host: string): boolean =>
  isIpLiteral(host) ? isInternalAddress(host) : INTERNAL_NAMES.test(host) || !host.includes(".");
