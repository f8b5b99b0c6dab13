// Headless Chromium for the browser tests, driven by playwright-core: Debian's `chromium` (scripts/ensure-deps.sh
// installs it), CHROMIUM_PATH, or a Chrome/Chromium found in the usual places.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CANDIDATES = [
  "/usr/lib/chromium/chromium", // Debian's binary; /usr/bin/chromium is a wrapper script around it
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

export const chromiumPath = (): string => {
  const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((path) => path && existsSync(path));
  if (!found)
    throw new Error("no Chromium: run `make deps` (Debian: apt-get install chromium) or set CHROMIUM_PATH");
  return found;
};

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Videos may start without a click (the tests press play through the element, not the mouse).
    args: ["--autoplay-policy=no-user-gesture-required"],
    timeout: 30_000,
  });
