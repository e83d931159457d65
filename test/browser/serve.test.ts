import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tableFromArrays } from 'apache-arrow';
import type { Page } from 'playwright-core';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { corpusRoot, repoRoot } from '../support/paths.js';
import { startServeProcess, type ServeProcess } from '../support/serve-process.js';
import { openChromiumPage, type ChromiumPage } from './chromium.js';

// `deltalake serve` seen in a real browser: the page shows the table, reads its rows with the
// browser build, and shows a commit made while it is open without a reload.

const ARTIFACTS = path.join(repoRoot, 'test-artifacts');

// The few DOM names the functions run in the page use (this project compiles without lib "dom").
interface MiniElement { textContent: string | null; dataset: Record<string, string | undefined> }
declare const document: {
  getElementById(id: string): MiniElement | null;
  querySelectorAll(selector: string): ArrayLike<MiniElement> & Iterable<MiniElement>;
};
declare const window: { marker?: number };

let chromium: ChromiumPage;
let page: Page;
let dir: string;
let table: string;
let serve: ServeProcess;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dlts-serve-page-'));
  table = path.join(dir, 'letters');
  await cp(path.join(corpusRoot, 'tables/dat-basic_partitioned'), table, { recursive: true });
  chromium = await openChromiumPage(async () => {
    serve = await startServeProcess([table, '--port', '0']);
    return serve.url;
  }, { viewport: { width: 1280, height: 1400 } });
  page = chromium.page;
});
after(async () => {
  await chromium?.browser?.close();
  await serve?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the serve page shows version, last operation, schema, partitioning and history', async (t) => {
  if (!chromium.browser) return t.skip(chromium.skipReason);
  const expected = await DeltaTable.open(table);
  const [last] = await expected.history({ limit: 1 });
  await page.waitForFunction((v) => document.getElementById('version')?.textContent === v, String(expected.version));
  assert.equal(await page.textContent('#last-operation'), last!.operation);
  assert.equal(await page.textContent('#partitioning'), expected.partitionColumns.join(', '));
  const columns = await page.$$eval('#schema tr td:first-child', (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(columns, expected.schema.fields.map((f) => f.name));
  const versions = await page.$$eval('#history li', (items) => items.map((i) => Number(i.getAttribute('data-version'))));
  assert.deepEqual(versions, (await expected.history()).map((h) => h.version));
});

test('the serve page previews rows read in the page by the browser build', async (t) => {
  if (!chromium.browser) return t.skip(chromium.skipReason);
  const expected = (await (await DeltaTable.open(table)).toArrow()).numRows;
  await page.waitForFunction(() => document.getElementById('preview')?.dataset['rows'] !== undefined);
  assert.match(await page.textContent('#preview-source') ?? '', /in this page by deltalake-ts\/browser/);
  assert.equal(Number(await page.getAttribute('#preview', 'data-rows')), Math.min(expected, 100));
  await page.fill('#filter', "letter = 'a'");
  await page.click('#preview-form button');
  await page.waitForFunction(() => document.querySelectorAll('#preview tr').length > 1 && [...document.querySelectorAll('#preview tr td:first-child')].every((c) => c.textContent === 'a'));
});

test('a commit made while the serve page is open appears on it within 2 seconds, without a reload', async (t) => {
  if (!chromium.browser) return t.skip(chromium.skipReason);
  const before = await DeltaTable.open(table);
  await page.waitForSelector('#live.on');
  await page.evaluate(() => { window.marker = 1; });
  await writeDeltaTable(table, tableFromArrays({ letter: ['z'], number: BigInt64Array.from([99n]), a_float: Float64Array.from([9.9]) }), { mode: 'append' });
  const next = before.version + 1;
  await page.waitForSelector(`#history li[data-version="${next}"]`, { timeout: 2000 });
  await page.waitForFunction((v) => document.getElementById('version')?.textContent === v, String(next), { timeout: 2000 });
  assert.equal(await page.evaluate(() => window.marker), 1, 'the page was not reloaded');
  assert.equal(await page.textContent('#last-operation'), 'WRITE');
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'serve.png'), fullPage: true });
});
