// The HTML audit report in a real headless browser (Debian's chromium, installed here
// when missing): it renders without console errors and without a single network
// request, the counts it shows equal the JSON report's, the filters change what is
// shown, it reads on a phone and prints. Screenshots are kept in test-results/.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/audit/report.js';
import { generateHistory } from '../../fixtures/audit/history.mjs';
import { removeTempDirs, ROOT, TestRepo } from '../../helpers/repo.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-results');

/** Installs Debian's chromium when it is missing (tests run as root; CI has the Debian registry). */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'ignore',
    env,
    timeout: 600_000,
  });
  if (!existsSync(CHROMIUM))
    throw new Error('apt-get install chromium did not provide /usr/bin/chromium');
}

let browser: Browser;
let html: string;
let report: AuditReport;

beforeAll(async () => {
  ensureChromium();
  // A history with every zone, several tools, reviews, renames and merges over a year.
  const repo = TestRepo.init();
  const gen = generateHistory({ commits: 700, seed: 99 });
  const r = spawnSync('git', ['fast-import', '--quiet'], {
    cwd: repo.dir,
    env: repo.env,
    input: gen.stream,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  repo.git('reset', '-q', '--hard');
  expect(repo.cleanroom(['audit', '--output', 'report.html']).code).toBe(1);
  html = readFileSync(join(repo.dir, 'report.html'), 'utf8');
  report = JSON.parse(repo.cleanroom(['audit', '--format', 'json']).stdout) as AuditReport;
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'audit-report.html'), html);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 900_000);

afterAll(async () => {
  await browser?.close();
  removeTempDirs();
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

async function open(viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (req) => requests.push(req.url()));
  // Every request fails: the report must need none.
  await page.route('**/*', (route) => route.abort());
  await page.setContent(html, { waitUntil: 'load' });
  return { page, errors, requests };
}

const num = (s: string | null): number => Number((s ?? '').replace(/,/g, ''));

describe('HTML audit report in headless chromium', () => {
  it('renders with no console error and no network request', async () => {
    const { page, errors, requests } = await open();
    expect(await page.title()).toBe('cleanroom audit — HEAD');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//);
    await page.screenshot({ path: join(ARTIFACTS, 'audit-report.png'), fullPage: true });
    await page.close();
  });

  it('shows the same counts as the JSON report', async () => {
    const { page } = await open();
    const s = report.summary;
    expect(num(await page.textContent('.banner [data-count="contaminatedPaths"]'))).toBe(
      s.contaminatedPaths,
    );
    expect(num(await page.textContent('.card [data-count="contaminatedPaths"]'))).toBe(
      s.contaminatedPaths,
    );
    expect(num(await page.textContent('[data-count="zonesContaminated"]'))).toBe(
      s.zonesContaminated,
    );
    expect(num(await page.textContent('[data-count="attestedPaths"]'))).toBe(s.attestedPaths);
    expect(num(await page.textContent('[data-count="commits"]'))).toBe(report.history.commits);
    for (const k of ['violation', 'reviewed', 'overridden'] as const)
      expect(num(await page.textContent(`[data-count="findings.${k}"]`))).toBe(s.findings[k]);
    for (const z of report.zones) {
      expect(num(await page.textContent(`[data-zone-count="${z.name}:contaminated"]`))).toBe(
        z.contaminated.length,
      );
      expect(num(await page.textContent(`[data-zone-count="${z.name}:attested"]`))).toBe(
        z.attested.length,
      );
      expect(num(await page.textContent(`[data-zone-count="${z.name}:violation"]`))).toBe(
        z.findings.violation,
      );
      expect(num(await page.textContent(`[data-zone-count="${z.name}:reviewed"]`))).toBe(
        z.findings.reviewed,
      );
      expect(
        await page
          .locator(`section.zone[data-zone="${z.name}"] tr.path[data-status="contaminated"]`)
          .count(),
      ).toBe(z.contaminated.length);
      expect(
        await page
          .locator(`section.zone[data-zone="${z.name}"] tr.path[data-status="attested"]`)
          .count(),
      ).toBe(z.attested.length);
      // The timeline's bars add up to the zone's AI-attributed changes.
      const titles = await page
        .locator(`#chart-${report.zones.indexOf(z)} g.bar title`)
        .allTextContents();
      const total = titles.reduce(
        (n, t) =>
          n +
          [...t.matchAll(/(\d+) (unattested|reviewed|overridden)/g)].reduce(
            (m, x) => m + Number(x[1]),
            0,
          ),
        0,
      );
      expect(total, z.name).toBe(
        z.findings.violation + z.findings.reviewed + z.findings.overridden,
      );
    }
    expect(s.contaminatedPaths).toBeGreaterThan(10);
    await page.close();
  });

  it('filters by tool and zone change the rows and the timeline', async () => {
    const { page, errors } = await open();
    const all = report.summary.contaminatedPaths + report.summary.attestedPaths;
    expect(num(await page.textContent('#shown'))).toBe(all);
    const tool = 'aider';
    const withTool = report.zones.reduce(
      (n, z) => n + [...z.contaminated, ...z.attested].filter((p) => p.tools.includes(tool)).length,
      0,
    );
    expect(withTool).toBeGreaterThan(0);
    expect(withTool).toBeLessThan(all);
    await page.selectOption('#f-tool', tool);
    expect(await page.locator('tr.path:visible').count()).toBe(withTool);
    expect(num(await page.textContent('#shown'))).toBe(withTool);
    const z0 = report.zones[0]!;
    const titles = await page.locator('#chart-0 g.bar title').allTextContents();
    const total = titles.reduce(
      (n, t) =>
        n +
        [...t.matchAll(/(\d+) (unattested|reviewed|overridden)/g)].reduce(
          (m, x) => m + Number(x[1]),
          0,
        ),
      0,
    );
    expect(total).toBe(
      z0.timeline
        .filter((p) => p.tool === tool)
        .reduce((n, p) => n + p.violation + p.reviewed + p.overridden, 0),
    );

    await page.selectOption('#f-tool', '');
    await page.selectOption('#f-zone', 'eval-harness');
    expect(await page.locator('section.zone:visible').count()).toBe(1);
    const harness = report.zones.find((z) => z.name === 'eval-harness')!;
    expect(await page.locator('tr.path:visible').count()).toBe(
      harness.contaminated.length + harness.attested.length,
    );
    await page.uncheck('#f-attested');
    expect(await page.locator('tr.path:visible').count()).toBe(harness.contaminated.length);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'audit-report-filtered.png'), fullPage: false });
    await page.close();
  });

  it('reads on a phone: no horizontal scrolling of the page', async () => {
    const { page, errors } = await open({ width: 390, height: 844 });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'audit-report-phone.png'), fullPage: false });
    await page.close();
  });

  it('prints: the filters are hidden, every row is there, a PDF comes out', async () => {
    const { page } = await open();
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('form.filters').isVisible()).toBe(false);
    expect(await page.locator('tr.path:visible').count()).toBe(
      report.summary.contaminatedPaths + report.summary.attestedPaths,
    );
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    writeFileSync(join(ARTIFACTS, 'audit-report.pdf'), pdf);
    await page.close();
  });

  it('history text cannot break out of the page', async () => {
    expect(html).not.toMatch(
      /<script[^>]*>[^<]*<\/script>[\s\S]*<script type="application\/json"[^>]*>[\s\S]*<\/script[\s\S]*<script type="application\/json"/,
    );
    const data = /<script type="application\/json" id="cleanroom-audit">([\s\S]*?)<\/script>/.exec(
      html,
    )![1]!;
    expect(data).not.toContain('<');
    expect(JSON.parse(data)).toEqual(
      JSON.parse(
        JSON.stringify({ ...report, generatedAt: (JSON.parse(data) as AuditReport).generatedAt }),
      ),
    );
  });
});
