// What make dev prints once everything is up: the dashboard's address, and the README's flow (the CLI, then curl)
// with this run's URL and key.

export interface TryNextInput {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly keyIsDefault: boolean;
  /** A video to upload (the fixture, built by `make fixtures`). */
  readonly fixture: string;
}

export const tryNextText = ({ apiUrl, apiKey, keyIsDefault, fixture }: TryNextInput): string => `
TCoder is running: API ${apiUrl}   key ${apiKey}${keyIsDefault ? "  (dev default; set TCODER_API_KEY or TCODER_API_KEYS to change it)" : ""}
In a browser: the dashboard at ${apiUrl}/ (enter the key above, drop a video).
Or try it in a terminal (make fixtures builds the sample video):

  export TCODER_URL=${apiUrl} TCODER_API_KEY=${apiKey}
  npx tcoder upload ${fixture} --preset web-optimized --wait
  npx tcoder list; npx tcoder download <job id>; npx tcoder --help

The same with curl and jq:

  # 1. ask for an upload URL for a file of this size (the URL is signed for exactly these bytes)
  curl -s -X POST "$TCODER_URL/api/upload" -H "authorization: Bearer $TCODER_API_KEY" \\
    -H 'content-type: application/json' \\
    -d "{\\"filename\\":\\"clip.mp4\\",\\"preset\\":\\"web-optimized\\",\\"size\\":$(wc -c < ${fixture})}" > upload.json
  # 2. upload the file straight to storage (the presigned PUT, with the headers it was signed with)
  curl -s -X PUT "$(jq -r .uploadUrl upload.json)" $(jq -r '.uploadHeaders | to_entries[] | "-H \\(.key):\\(.value)"' upload.json) \\
    --data-binary @${fixture}
  # 3. poll the job until it is completed (a machine starts, claims it and runs FFmpeg)
  curl -s "$TCODER_URL/api/jobs/$(jq -r .jobId upload.json)" -H "authorization: Bearer $TCODER_API_KEY" | jq '{status, progress}'
  # 4. download the outputs
  curl -s "$TCODER_URL/api/jobs/$(jq -r .jobId upload.json)" -H "authorization: Bearer $TCODER_API_KEY" \\
    | jq -r '.outputs[] | .url' | while read -r url; do curl -s -O "$url"; done

Ctrl-C stops everything.
`;
