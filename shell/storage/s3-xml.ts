// Minimal reading and writing of S3's XML: element text by tag name, the five XML entities and numeric references.
// S3 replies are flat and small; no DTDs or custom entities are honoured, so nothing can expand or fetch.
// Kept by hand rather than fast-xml-parser (~30 kB in the Worker bundle): we read six tags and write two documents,
// and this can do nothing else, which is the safer property for replies from the network.

/** Texts of every `<tag>…</tag>` (or `<tag/>`) in `xml`, raw (not decoded). `tag` is one of our constants. */
export const xmlElements = (xml: string, tag: string): string[] => {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, "g");
  return [...xml.matchAll(pattern)].map((match) => match[1] ?? "");
};

/** The decoded text of the first `<tag>` in `xml`, or null when there is none. */
export const xmlText = (xml: string, tag: string): string | null => {
  const [first] = xmlElements(xml, tag);
  return first === undefined ? null : decodeXmlText(first);
};

/** Whether the document's root element is `<tag>` (after an optional declaration and whitespace). */
export const hasXmlRoot = (xml: string, tag: string): boolean =>
  new RegExp(`^\\s*(?:<\\?xml[^>]*\\?>\\s*)?<${tag}(?:\\s[^>]*)?>`).test(xml);

const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export const decodeXmlText = (raw: string): string => {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(raw);
  if (cdata) return cdata[1] ?? "";
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref] ?? whole;
  });
};

export const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`);

export interface S3ErrorBody {
  readonly code: string;
  readonly message: string;
}

/** `<Error><Code>…</Code><Message>…</Message></Error>`, or null when the text is not such a document. */
export const parseS3Error = (xml: string): S3ErrorBody | null => {
  if (!hasXmlRoot(xml, "Error")) return null;
  return { code: xmlText(xml, "Code") ?? "", message: xmlText(xml, "Message") ?? "" };
};
