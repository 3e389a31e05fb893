import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.ts';

// Debian's chromium, driven by playwright-core; a fresh profile each run.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const MOTD = 'Welcome to version 2! Now with more words!';

let stack: Stack;
let browser: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  stack = await startStack({}, { MESSAGE_OF_THE_DAY: MOTD });
  profile = mkdtempSync(join(tmpdir(), 'emojivoto-ui-'));
  // Playwright passes the fresh profile to chromium as --user-data-dir.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the emojivoto page in a real browser', () => {
  it('shows the message of the day and the 99-emoji vote grid', async () => {
    await page.goto(stack.webUrl);
    await expect.poll(() => page.locator('#motd').textContent()).toBe(MOTD);
    await page.waitForSelector('button.emoji');
    expect(await page.locator('button.emoji').count()).toBe(99);
    expect(await page.locator('button.emoji').first().textContent()).toBe('😂');
    // Drawn in colour, not as an empty box: the machine has a colour emoji font (Debian's fonts-noto-color-emoji).
    const colouredPixels = await page.evaluate(`(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 64;
      const g = canvas.getContext('2d');
      g.font = '48px "Noto Color Emoji", sans-serif';
      g.textBaseline = 'top';
      g.fillText('😂', 4, 4);
      const d = g.getImageData(0, 0, 64, 64).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && Math.abs(d[i] - d[i + 2]) > 60) n++;
      return n;
    })()`);
    expect(colouredPixels).toBeGreaterThan(100);
  });

  it('votes for an emoji and finds it on the leaderboard', async () => {
    await page.getByRole('button', { name: 'Vote for :rocket:' }).click();
    await page.getByText('Thanks for voting!').waitFor();
    await page.getByRole('link', { name: 'View the leaderboard' }).click();
    await page.waitForSelector('li.leader');
    expect(new URL(page.url()).pathname).toBe('/leaderboard');
    const leader = page.locator('li.leader').first();
    expect(await leader.getAttribute('title')).toBe(':rocket:');
    expect(await leader.locator('.votes').textContent()).toBe('1 vote');
    await page.screenshot({ path: '/tmp/emojivoto-leaderboard.png' });
  });

  it('shows the error view for the doughnut, and Pick another returns to the grid', async () => {
    await page.goto(stack.webUrl);
    await page.getByRole('button', { name: 'Vote for :doughnut:' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.locator('.error-code').textContent()).toBe('404');
    expect(await alert.textContent()).toContain('Voting for 🍩 always returns an error');
    await page.screenshot({ path: '/tmp/emojivoto-doughnut.png' });
    await page.getByRole('link', { name: 'Pick another' }).click();
    await page.waitForSelector('button.emoji');
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('renders the leaderboard when opened directly', async () => {
    await page.goto(`${stack.webUrl}/leaderboard`);
    await page.waitForSelector('li.leader');
    expect(await page.locator('li.leader').count()).toBe(1);
  });
});
