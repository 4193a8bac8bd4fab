import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Debian's chromium, which the browser tests drive (setup installs it with --debian; never a download). */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`browser tests skipped: Debian's chromium is not installed (${CHROMIUM}; npm test installs it where root can apt-get)`);
/** Screenshots and logs for a person to look at. */
export const artifacts = path.resolve(__dirname, '..', 'artifacts');

/** A loopback port free at this moment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Debian's chromium, headless, with no network of its own, no update and no first-run page. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
