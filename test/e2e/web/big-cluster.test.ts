import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { botExtensions } from '../../../src/app/extensions.js';
import { launchBrowser } from '../../helpers/browser.js';
import { bigClusterScenario } from '../../helpers/slack/big-cluster.js';

// A 64-node cluster in the lab console, in Debian's Chromium: the matrix scrolls inside its box
// and the page never grows wider than the window, at a desktop and at a narrow width.

let bot: RunningBot;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-web-big-'));
  const lab = path.join(dir, 'big64.yaml');
  writeFileSync(lab, bigClusterScenario(64));
  const config = loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, 'triage.db')}`, WEB_PORT: '0' });
  bot = await startBot({ config, logger: silentLogger, webPort: 0, labFile: lab, extensions: botExtensions });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

describe('64-node cluster in the console', { timeout: 120_000 }, () => {
  it('scrolls the matrix inside its box; the page is never wider than the window', async () => {
    await page.goto(`${bot.web!.url}/?persona=olivia`);
    await page.fill('#command', '/cluster-health BIG64');
    await page.press('#command', 'Enter');
    const result = page.locator('ol.thread > li.msg').filter({ hasText: 'Cluster health · BIG64' });
    await result.locator('.verdict[data-status="blocked"]').waitFor({ timeout: 90_000 });
    expect(await result.locator('td[data-from="N07"][data-to="N01"]').innerText()).toBe('blocked');

    for (const width of [1280, 700]) {
      await page.setViewportSize({ width, height: 900 });
      // As a string: the tests compile without the DOM library.
      const [pageWidth, windowWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
      const [boxScroll, boxClient] = await page.locator('ol.thread .matrix-box').first().evaluate((el) => [el.scrollWidth, el.clientWidth]);
      const sizes = { page: pageWidth, window: windowWidth, boxScroll: boxScroll!, boxClient: boxClient! };
      expect(sizes.page, `page width at ${width}px`).toBeLessThanOrEqual(sizes.window);
      // The 64 × 64 table is wider than its box, so the box scrolls.
      expect(sizes.boxScroll).toBeGreaterThan(sizes.boxClient);
    }
    const box = result.locator('.matrix-box');
    await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    expect(await box.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  });
});
