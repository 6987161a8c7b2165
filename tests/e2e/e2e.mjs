// khabar serve in headless Chromium: search in another spelling, check the
// highlights (DOM and UTF-16 offsets of the API), check that a hostile
// article stays text, open a story, and save screenshots under target/e2e/.
//
// Usage: node e2e.mjs http://127.0.0.1:PORT/ OUT_DIR
// Chromium is Debian's /usr/bin/chromium (KHABAR_CHROMIUM overrides); nothing is downloaded.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node e2e.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'khabar-e2e-'));
const flags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${e.message}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.KHABAR_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: flags,
  viewport: { width: 1100, height: 900 },
  timeout: 60_000,
});
const page = context.pages()[0] || (await context.newPage());
page.setDefaultTimeout(20_000);
const dialogs = [];
page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });

try {
  await check('the page is right-to-left Arabic with a system Arabic font stack', async () => {
    await page.goto(base);
    const info = await page.evaluate(() => ({
      dir: document.documentElement.dir,
      lang: document.documentElement.lang,
      font: getComputedStyle(document.documentElement).fontFamily,
      scripts: document.scripts.length,
    }));
    assert(info.dir === 'rtl' && info.lang === 'ar', JSON.stringify(info));
    assert(info.font.includes('Noto Naskh Arabic'), info.font);
    assert(info.scripts === 0, `scripts on the page: ${info.scripts}`);
  });

  await check('search «الاسد» finds «والأسد» and marks it', async () => {
    await page.fill('#q', 'الاسد');
    await Promise.all([page.waitForURL(/\?q=/), page.press('#q', 'Enter')]);
    await page.waitForSelector('#results article.hit');
    const marks = await page.$$eval('#results mark.hit', (ms) => ms.map((m) => m.textContent));
    assert(marks.includes('والأسد'), `marks: ${marks.join(', ')}`);
    assert(marks.every((m) => ['الأسد', 'الاسد', 'والأسد'].includes(m)), `marks: ${marks.join(', ')}`);
    await page.screenshot({ path: join(outDir, 'search.png'), fullPage: false });
  });

  await check('API highlight offsets are UTF-16 offsets the browser can slice', async () => {
    const words = await page.evaluate(async () => {
      const r = await fetch('/api/search?q=' + encodeURIComponent('سورية الاسد'));
      const j = await r.json();
      const out = [];
      for (const h of j.hits) {
        for (const hl of h.snippet.highlights) {
          out.push(h.snippet.text.slice(hl.start_utf16 - h.snippet.start_utf16, hl.end_utf16 - h.snippet.start_utf16));
        }
      }
      return out;
    });
    assert(words.length > 0, 'no highlights');
    const ok = words.every((w) => /^(و|ال|ب|ل)*(الأسد|الاسد|أسد|اسد|سوريا|سورية|السوري|السورية|سوري|سورية)$/.test(w) || w.includes('سوري') || w.includes('سد'));
    assert(ok, `sliced: ${words.join(', ')}`);
  });

  await check('a hostile article is shown as text, and its script never runs', async () => {
    await page.goto(base + '?q=' + encodeURIComponent('خبيث'));
    await page.waitForSelector('#results article.hit');
    await page.click('#results article.hit h2 a');
    await page.waitForSelector('#document');
    const state = await page.evaluate(() => ({
      xss: window.__xss,
      title: document.title,
      scripts: document.scripts.length,
      imgs: document.querySelectorAll('img').length,
      jsLinks: [...document.querySelectorAll('a')].filter((a) => a.href.startsWith('javascript:')).length,
      text: document.querySelector('#document .text').textContent,
    }));
    assert(state.xss === undefined, `window.__xss = ${state.xss}`);
    assert(!state.title.includes('pwned'), state.title);
    assert(state.scripts === 0 && state.imgs === 0 && state.jsLinks === 0, JSON.stringify(state));
    assert(state.text.includes('<script>window.__xss = 1;'), 'the markup is visible as text');
    assert(dialogs.length === 0, `dialogs: ${dialogs}`);
    await page.screenshot({ path: join(outDir, 'hostile.png'), fullPage: false });
  });

  await check('open a story from the list: digest sections and its reports', async () => {
    await page.goto(base);
    const stories = await page.$$eval('#stories a.story', (as) => as.map((a) => ({ href: a.getAttribute('href'), meta: a.nextElementSibling?.textContent || '' })));
    assert(stories.length > 5, `stories: ${stories.length}`);
    // The biggest story: its size is the number in the meta line.
    const size = (s) => Number((s.meta.match(/(\d+) تقرير/) || [0, 0])[1]);
    const biggest = stories.reduce((a, b) => (size(b) > size(a) ? b : a));
    await Promise.all([page.waitForURL(/\/stories\//), page.click(`#stories a.story[href="${biggest.href}"]`)]);
    await page.waitForSelector('#story');
    const info = await page.evaluate(() => ({
      members: document.querySelectorAll('#members li').length,
      sections: ['digest', 'entities', 'quotes', 'members'].filter((id) => document.getElementById(id)).length,
      dir: document.documentElement.dir,
    }));
    assert(info.members >= 2, `members: ${info.members}`);
    assert(info.sections === 4 && info.dir === 'rtl', JSON.stringify(info));
    await page.screenshot({ path: join(outDir, 'story.png'), fullPage: true });
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
