// The dashboard page's Content-Security-Policy: its own script and stylesheet only (no inline code, no eval), and
// media, images and connections to itself plus the origins its URLs point at: object storage (presigned uploads,
// downloads, posters, and HLS segments after the media route's redirect), the public URL (media URLs are built on
// it, and the page may be opened under another name, localhost for 127.0.0.1) and PUBLIC_MEDIA_BASE_URL.

export interface DashboardOrigins {
  /** S3_ENDPOINT or the R2 account's endpoint: presigned URLs are path-style on it. */
  readonly storageEndpoint: string;
  readonly publicUrl: string | null;
  readonly mediaBaseUrl: string | null;
}

export const dashboardContentPolicy = ({
  storageEndpoint,
  publicUrl,
  mediaBaseUrl,
}: DashboardOrigins): string => {
  const origins = [
    ...new Set(
      [storageEndpoint, publicUrl, mediaBaseUrl].flatMap((url) => (url ? [new URL(url).origin] : [])),
    ),
  ].join(" ");
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${origins}`,
    `img-src 'self' ${origins}`,
    // hls.js plays through Media Source Extensions: the video's source is a blob: URL of the page's own making.
    `media-src 'self' blob: ${origins}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
};
