// Open access-report.html in headless Chromium (the system one; playwright-core downloads nothing),
// wait for the graph, screenshot the page (and the first graph alone: <screenshot>.graph.png) and
// print one JSON line:
//   {"roles": [...], "console_errors": [...], "page_errors": [...], "external_requests": [...], "dialogs": [...]}
// Usage: node tests/browser/check_report.mjs <access-report.html> <screenshot.png>
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [htmlPath, screenshotPath] = process.argv.slice(2);
if (!htmlPath || !screenshotPath) {
  console.error("usage: node check_report.mjs <access-report.html> <screenshot.png>");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const LOCAL = new Set(["file:", "data:", "about:", "blob:"]);

const profile = mkdtempSync(join(tmpdir(), "access-report-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1600, height: 1000 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const result = { roles: [], console_errors: [], page_errors: [], external_requests: [], dialogs: [] };
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") { result.console_errors.push(message.text()); }
  });
  page.on("pageerror", (error) => result.page_errors.push(String(error)));
  page.on("dialog", (dialog) => { result.dialogs.push(dialog.message()); dialog.dismiss(); });  // alert() = injection
  context.on("request", (request) => {
    const url = request.url();
    if (!LOCAL.has(new URL(url).protocol)) { result.external_requests.push(url); }
  });
  await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: "load" });
  await page.waitForSelector("body[data-graphs-drawn]", { timeout: 15000 });
  result.roles = await page.$$eval("svg [data-role]", (nodes) => nodes.map((n) => n.getAttribute("data-role")));
  await page.screenshot({ path: screenshotPath, fullPage: true });
  const graph = await page.$(".graph svg");  // the first graph alone, at full size, beside it
  if (graph) { await graph.screenshot({ path: screenshotPath.replace(/(\.png)?$/, ".graph.png") }); }
} catch (error) {
  result.page_errors.push(`check_report: ${error}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
