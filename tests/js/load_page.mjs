// Load a page in Debian's chromium, headless, through playwright-core (no browser download), and
// say what a reader would meet: console errors, page errors, requests that left file:, the chart
// points shown, the scripts and images in the document, the text shown.
// Usage: node load_page.mjs FILE [SCREENSHOT.png [WIDTH [HEIGHT]]]; prints one JSON object. The
// screenshot is of the whole page, or of its top HEIGHT pixels.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [file, screenshot, width = "1100", height] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "carbon-gate-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: Number(width), height: 800 },
});
const report = { consoleErrors: [], pageErrors: [], requests: [], failedRequests: [] };
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") report.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => report.pageErrors.push(String(error)));
  page.on("request", (request) => report.requests.push(request.url()));
  page.on("requestfailed", (request) =>
    report.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`),
  );
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
  Object.assign(
    report,
    await page.evaluate(() => ({
      title: document.title,
      points: document.querySelectorAll("[data-point]").length,
      pointsPerChart: [...document.querySelectorAll("svg[data-stage]")].map((chart) => [
        chart.dataset.stage,
        chart.querySelectorAll("[data-point]").length,
      ]),
      hollow: document.querySelectorAll("[data-point].other").length,
      changes: document.querySelectorAll("g.change").length,
      scripts: document.querySelectorAll("script").length,
      images: document.querySelectorAll("img").length,
      rows: document.querySelectorAll("tbody tr").length,
      text: document.body.innerText,
    })),
  );
  if (screenshot) {
    const clip = height && { x: 0, y: 0, width: Number(width), height: Number(height) };
    await page.screenshot({ path: screenshot, fullPage: true, ...(clip && { clip }) });
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report));
