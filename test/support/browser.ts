// Debian's Chromium through playwright-core, launched the same way by every browser test.
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './paths.ts';

/** Where tests keep their screenshots (a test artifact; gitignored). */
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** Chromium at `$CHROMIUM` or /usr/bin/chromium, headless, without the sandbox or background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run'],
  });
}
