import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { botExtensions } from '../../../src/app/extensions.js';
import { launchBrowser } from '../../helpers/browser.js';

// The lab console as a person uses it, in Debian's Chromium: run the check, see the verdict,
// propose the fix as the operator, approve it as the approver, see it applied and the re-check
// healthy. The screenshot is kept in test-output/ for the README and for people to look at.

const OUTPUT = path.resolve('test-output');
let bot: RunningBot;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-web-e2e-'));
  const db = path.join(dir, 'triage.db');
  // The lab policy as shipped: Sam is both operator and approver, so her own plan is refused by
  // the two-person rule itself, not by a missing role.
  const config = loadConfig({ DATABASE_URL: `sqlite:${db}`, WEB_PORT: '0' });
  bot = await startBot({ config, logger: silentLogger, webPort: 0, labFile: 'lab/default.yaml', extensions: botExtensions });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

const thread = () => page.locator('ol.thread > li.msg');

describe('lab console in Chromium', { timeout: 120_000 }, () => {
  it('walks the two-person fix from a blocked verdict to a healthy re-check', async () => {
    await page.goto(`${bot.web!.url}/?persona=sam`);
    await expect.poll(() => page.locator('#persona').inputValue()).toBe('sam');

    await page.fill('#command', '/migration-check HV01 HV02 HV03 HV04');
    await page.press('#command', 'Enter');
    const result = thread().filter({ hasText: 'Live migration check · HV01, HV02, HV03, HV04' });
    await result.locator('.verdict[data-status="blocked"]').waitFor({ timeout: 60_000 });
    expect(await result.locator('.verdict').innerText()).toMatch(/^Blocked: 5 of 12 directions ok, 7 blocked, 0 unknown\./);
    expect(await result.locator('td[data-from="HV02"][data-to="HV01"]').innerText()).toBe('blocked');
    expect(await result.locator('td[data-from="HV03"][data-to="HV01"]').innerText()).toBe('ok');

    await result.getByRole('button', { name: 'Propose fix' }).click();
    const plan = thread().filter({ hasText: /Fix plan pl_/ });
    await plan.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 60_000 });

    // The proposer, an approver too, cannot approve her own plan: she is told so by the
    // two-person rule (not by a missing role), and the plan is still waiting (its Approve button, nothing applied).
    await plan.getByRole('button', { name: 'Approve' }).click();
    const refusal = page.locator('li.msg.ephemeral', { hasText: /two-person rule/ });
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.innerText()).not.toMatch(/approver role/);
    expect(await plan.getByRole('button', { name: 'Approve' }).count()).toBe(1);
    expect(await plan.filter({ hasText: /Applied/ }).count()).toBe(0);

    await page.selectOption('#persona', 'adam');
    await expect.poll(() => page.url()).toContain('persona=adam');
    const planForAdam = thread().filter({ hasText: /Fix plan pl_/ });
    await planForAdam.getByRole('button', { name: 'Approve' }).click();

    await planForAdam.filter({ hasText: /Applied/ }).waitFor({ timeout: 60_000 });
    const recheck = thread().filter({ hasText: /Re-check after fix/ });
    await recheck.locator('.verdict[data-status="healthy"]').waitFor({ timeout: 60_000 });
    expect(await recheck.locator('.verdict').innerText()).toMatch(/12 of 12 directions ok, 0 blocked, 0 unknown/);
    await expect.poll(() => planForAdam.getByRole('button', { name: 'Roll back' }).count()).toBe(1);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'web-console-flow.png'), fullPage: true });
  });
});
