// Regenerates docs/serve.png: `deltalake serve` on the demo tables (run `npm run demo` first),
// photographed by headless Chromium (Debian's /usr/bin/chromium via playwright-core).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tables = ['gold_device_windows', 'bronze_events'].map((t) => path.join(root, 'demo-tables', t));
const child = spawn(process.execPath, [path.join(root, 'dist/src/cli/main.js'), 'serve', ...tables, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => { out += d; const m = /(http:\/\/\S+\/)/.exec(out); if (m) resolve(m[1]); });
  child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1250 } });
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('preview')?.dataset.rows !== undefined);
  await page.waitForSelector('#live.on');
  await page.screenshot({ path: path.join(root, 'docs/serve.png') });
} finally {
  await browser.close();
  child.kill('SIGTERM');
}
