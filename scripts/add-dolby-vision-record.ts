// Adds a Dolby Vision configuration box (dvvC) to an MP4's HEVC sample entry and renames it dvh1, as a phone's
// Dolby Vision clip is signalled; ffmpeg 5.1 cannot write one itself. Used by make-fixtures for one fixture.

export interface DolbyVisionRecord {
  readonly profile: number;
  readonly level: number;
  /** dv_bl_signal_compatibility_id: 1 HDR10, 2 SDR, 4 HLG. */
  readonly compatibilityId: number;
}

interface Box {
  readonly offset: number;
  readonly size: number;
  readonly type: string;
}

const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl"]);

const boxesIn = (bytes: Buffer, start: number, end: number): Box[] => {
  const boxes: Box[] = [];
  for (let offset = start; offset + 8 <= end; ) {
    const size = bytes.readUInt32BE(offset);
    // 64-bit (1) and to-end-of-file (0) sizes do not occur in the boxes this walks.
    if (size < 8) throw new Error(`unexpected box size ${size} at ${offset}`);
    boxes.push({ offset, size, type: bytes.toString("latin1", offset + 4, offset + 8) });
    offset += size;
  }
  return boxes;
};

/** The boxes from moov down to the stsd holding an hvc1 entry, and that entry. */
const findHevcEntry = (bytes: Buffer, start: number, end: number, path: Box[]): Box[] | undefined => {
  for (const box of boxesIn(bytes, start, end)) {
    if (box.type === "stsd") {
      // Full box header (version, flags) and entry_count before the entries.
      const [entry] = boxesIn(bytes, box.offset + 16, box.offset + box.size);
      if (entry?.type === "hvc1") return [...path, box, entry];
    } else if (CONTAINERS.has(box.type)) {
      const found = findHevcEntry(bytes, box.offset + 8, box.offset + box.size, [...path, box]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
};

/** ETSI TS 103 572 / Dolby's ISOBMFF spec: 24 bytes, version 1.0, BL present, no EL, RPU flag set. */
const dvvcBox = (record: DolbyVisionRecord): Buffer => {
  const box = Buffer.alloc(32);
  box.writeUInt32BE(32, 0);
  box.write("dvvC", 4, "latin1");
  box[8] = 1; // dv_version_major
  box[9] = 0; // dv_version_minor
  // dv_profile (7 bits), dv_level (6), rpu_present (1), el_present (1), bl_present (1)
  box.writeUInt16BE((record.profile << 9) | (record.level << 3) | (1 << 2) | (0 << 1) | 1, 10);
  box[12] = record.compatibilityId << 4; // then 28 reserved bits and 4 reserved words
  return box;
};

/**
 * The file with the record added. The moov box must come after mdat (no faststart): growing it then moves no
 * media, so the chunk offsets stay right.
 */
export const addDolbyVisionRecord = (mp4: Buffer, record: DolbyVisionRecord): Buffer => {
  const top = boxesIn(mp4, 0, mp4.length);
  if (top.findIndex((b) => b.type === "moov") < top.findIndex((b) => b.type === "mdat")) {
    throw new Error("moov before mdat: the record would move the media");
  }
  const path = findHevcEntry(mp4, 0, mp4.length, []);
  const entry = path?.at(-1);
  if (path === undefined || entry === undefined) throw new Error("no hvc1 sample entry");
  const box = dvvcBox(record);
  const at = entry.offset + entry.size;
  const out = Buffer.concat([mp4.subarray(0, at), box, mp4.subarray(at)]);
  for (const parent of path) out.writeUInt32BE(parent.size + box.length, parent.offset);
  out.write("dvh1", entry.offset + 4, "latin1");
  return out;
};
