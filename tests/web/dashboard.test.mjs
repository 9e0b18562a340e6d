// The dashboard against the real local cluster, in real headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { launch, openPage, milex, screenshot, axeViolations, assertClean, origin } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const jobRow = (page, name) => page.locator('table.jobs tbody tr').filter({ has: page.getByRole('rowheader', { name, exact: true }) });

// First: the dashboard starts on a fresh home (tests/web/run), before any test submits.
test('a fresh home: the runs page says how to get a run there, not a blank table', async () => {
  const page = await openPage(browser, '/runs');
  const empty = page.locator('main .empty');
  await empty.waitFor();
  const text = await empty.innerText();
  assert.match(text, /No runs yet\..*milex-schedule.*milex-run/s);
  assert.doesNotMatch(text, /\S(milex-schedule|milex-run)/, 'a command glued to the word before it');
  assert.equal(await page.locator('table').count(), 0, 'no table without rows');
  assert.equal(await page.getByRole('searchbox').count(), 0, 'no filters with nothing to filter');
  await screenshot(page, 'runs-empty');
  assert.deepEqual(await axeViolations(page), []);
  assertClean(page);
});

test('a diamond bundle: its jobs turn COMPLETED on the page without a reload', async () => {
  milex('milex-schedule', 'milex-example', '--name', 'webdiamond', '--job_name', 'A', '--sleep', '2', '--time', '5');
  milex('milex-schedule', 'milex-example-sh', '--name', 'webdiamond', '--append', '--job_name', 'B', '--dependencies', 'A', '--message', 'from B');
  milex('milex-schedule', 'milex-example', '--name', 'webdiamond', '--append', '--job_name', 'C', '--dependencies', 'A');
  milex('milex-schedule', 'milex-example', '--name', 'webdiamond', '--append', '--job_name', 'D', '--dependencies', 'B', 'C');
  milex('milex-run', 'webdiamond');

  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^webdiamond_/ }).click();
  await page.getByRole('heading', { name: /webdiamond/ }).waitFor();
  await page.evaluate(() => { window.notReloaded = true; });
  for (const name of ['A', 'B', 'C', 'D'])
    await jobRow(page, name).locator('.state', { hasText: 'COMPLETED' }).waitFor({ timeout: 120000 });
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  assert.equal(await page.locator('svg.graph line.edge').count(), 4, 'the graph has the diamond\'s four arrows');
  await screenshot(page, 'run');
  assert.deepEqual(await axeViolations(page), []);

  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await page.locator('table.runs').waitFor();
  await screenshot(page, 'runs');
  assert.deepEqual(await axeViolations(page), []);
  // Back returns to the run, as in any site.
  await page.goBack();
  await page.getByRole('heading', { name: /webdiamond/ }).waitFor();
  assertClean(page);
});

test('a failing job turns red; its log shows as text, markup and all, with its W&B run as a link', async () => {
  // milex refuses markup in job names (letters, digits, . + - _ only): the markup goes in an
  // argument, which the log prints and the launch form shows.
  const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  milex('milex-schedule', 'milex-example', '--name', 'webfail', '--job_name', 'failing', '--sleep', '1',
    '--exit_code', '3', '--message', evil, '--wandb_url', 'https://wandb.ai/team/proj/runs/abc123');
  milex('milex-run', 'webfail');

  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^webfail_/ }).click();
  const row = jobRow(page, 'failing');
  await row.locator('.state.state-bad', { hasText: 'FAILED' }).waitFor({ timeout: 120000 });
  // Red at a glance: the whole row, not only the badge; the state is written out too.
  assert.equal(await row.getAttribute('class'), 'row-bad');
  assert.equal(await row.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor), 'rgb(255, 245, 245)');
  assert.equal((await row.locator('.state').innerText()).trim(), 'FAILED');
  await screenshot(page, 'run-failed');

  await row.getByRole('link', { name: 'failing', exact: true }).click();
  const log = page.locator('pre.log');
  await log.filter({ hasText: `message ${evil}` }).waitFor({ timeout: 60000 });
  assert.equal(await log.locator('script, img').count(), 0, 'the log line is text, not markup');
  const wandb = page.locator('a.wandb');
  assert.equal(await wandb.getAttribute('href'), 'https://wandb.ai/team/proj/runs/abc123');
  // In the log twice: the application's own line and its echo of its arguments; both are links.
  assert.equal(await log.getByRole('link', { name: 'https://wandb.ai/team/proj/runs/abc123' }).count(), 2);
  await screenshot(page, 'logs');
  assert.deepEqual(await axeViolations(page), []);

  // The launch form shows the argument as a value, not as markup.
  await page.getByRole('link', { name: 'Back to the run' }).click();
  await jobRow(page, 'failing').getByRole('link', { name: 'Launch failing again, changed' }).click();
  assert.equal(await page.getByLabel('message', { exact: true }).inputValue(), evil);
  assert.equal(await page.locator('main img, main script').count(), 0);
  assertClean(page);
});

test('a job that writes stderr apart: its log page switches between stdout and stderr', async () => {
  const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
  milex('milex-schedule', 'milex-example', '--name', 'webstderr', '--job_name', 'noisy',
    '--pre-commands', 'echo "warning: written to stderr" >&2', '--time', '5', '--message', 'on stdout');
  // milex-schedule has no --error flag: the bundle (a file users edit) says it.
  const jobsDir = `${process.env.MILEX_TEST_DIR}/milex/jobs`;
  const file = `${jobsDir}/${readdirSync(jobsDir).find((f) => f.startsWith('webstderr_'))}`;
  const bundle = JSON.parse(readFileSync(file, 'utf8'));
  bundle.noisy.slurm.error = `${process.env.MILEX_TEST_DIR}/milex/slurm/%x-%j.err`;
  writeFileSync(file, JSON.stringify(bundle, null, 2));
  milex('milex-run', 'webstderr');
  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^webstderr_/ }).click();
  const row = jobRow(page, 'noisy');
  await row.locator('.state', { hasText: 'COMPLETED' }).waitFor({ timeout: 120000 });
  await row.getByRole('link', { name: 'noisy', exact: true }).click();
  const log = page.locator('pre.log');
  await log.filter({ hasText: 'message on stdout' }).waitFor({ timeout: 60000 });
  assert.doesNotMatch(await log.innerText(), /written to stderr/, 'stdout holds only stdout');
  const streams = page.getByRole('navigation', { name: 'Output stream' });
  assert.equal(await streams.getByRole('link', { name: 'stdout' }).getAttribute('aria-current'), 'page');
  await streams.getByRole('link', { name: 'stderr' }).click();
  await log.filter({ hasText: 'warning: written to stderr' }).waitFor({ timeout: 60000 });
  assert.doesNotMatch(await log.innerText(), /message on stdout/, 'stderr holds only stderr');
  assert.match(page.url(), /\/logs\?stream=stderr$/, 'the URL says which stream is shown');
  assert.equal(await streams.getByRole('link', { name: 'stderr' }).getAttribute('aria-current'), 'page');
  await screenshot(page, 'logs-stderr');
  assert.deepEqual(await axeViolations(page), []);
  // Back returns to stdout.
  await page.goBack();
  await log.filter({ hasText: 'message on stdout' }).waitFor({ timeout: 60000 });
  assertClean(page);
});

test('a job whose stderr goes with its stdout offers no stderr switch', async () => {
  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^webfail_/ }).click();
  await jobRow(page, 'failing').getByRole('link', { name: 'failing', exact: true }).click();
  await page.locator('pre.log').filter({ hasText: 'message' }).waitFor({ timeout: 60000 });
  await page.locator('p.paths').waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Output stream' }).count(), 0);
  assertClean(page);
});

test('a long bundle name wraps in the runs table and on its run page instead of widening them', async () => {
  const name = 'resnet50_imagenet_mixup_cutmix_label_smoothing_sweep_of_learning_rates_and_weight_decays_v2';
  milex('milex-schedule', 'milex-example', '--name', name, '--job_name', 'only_job_with_a_rather_long_name_too', '--time', '5');
  milex('milex-run', name);
  const page = await openPage(browser, '/runs');
  const link = page.getByRole('link', { name: new RegExp(`^${name}_`) });
  await link.waitFor();
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.equal(await fits(), true, 'the runs page scrolls sideways');
  await screenshot(page, 'runs-long-name');
  // The name wraps within a column of its own size; the columns beside it keep one line each.
  const box = await link.boundingBox();
  assert.ok(box.width <= 600, `the bundle name is ${box.width}px wide`);
  const row = page.locator('table.runs tbody tr', { has: link });
  for (const cell of await row.locator('td').all()) {
    const lines = await cell.evaluate((td) => {
      const content = document.createRange();  // the text's own height: the cell stretches to the row's
      content.selectNodeContents(td);
      return Math.round(content.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight));
    });
    assert.ok(lines <= 2, `a cell beside the name is squeezed to ${lines} lines: ${await cell.innerText()}`);
  }
  await link.click();
  await jobRow(page, 'only_job_with_a_rather_long_name_too').waitFor();
  assert.equal(await fits(), true, 'the run page scrolls sideways');
  assertClean(page);
});

test('a run of 121 jobs lays out its first 100, then the rest on demand; the state filter narrows the table', async () => {
  const { writeFileSync } = await import('node:fs');
  const path = await import('node:path');
  const bundle = { gate: { script: 'milex-example-sh', script_args: { sleep: 300 }, slurm: { time: '10' } } };
  for (let i = 0; i < 120; i++)
    bundle[`w${String(i).padStart(3, '0')}`] = { script: 'milex-example-sh', script_args: {}, dependencies: ['gate'], slurm: { time: '1' } };
  writeFileSync(path.join(process.env.MILEX_TEST_DIR, 'milex', 'jobs', 'webwide_20261202000000.json'), JSON.stringify(bundle));
  milex('milex-run', 'webwide_20261202000000', '--no-verify');
  try {
    const page = await openPage(browser, '/runs');
    await page.getByRole('link', { name: /^webwide_/ }).click();
    const rows = page.locator('table.jobs tbody tr');
    await page.getByText('Showing 100 of 121 jobs.').waitFor();
    assert.equal(await rows.count(), 100);
    // Every job is counted in the summary, laid out or not.
    const summary = await page.locator('.summary').innerText();
    assert.equal([...summary.matchAll(/(\d+) [A-Z_]+/g)].reduce((sum, m) => sum + Number(m[1]), 0), 121);
    await page.getByRole('button', { name: 'Show 21 more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.jobs tbody tr').length === 121);
    assert.equal(await page.locator('p.more').count(), 0, 'nothing left to show');
    // The filter: the gate's state only (RUNNING, or PENDING on a busy node), every row in it.
    const gateState = (await jobRow(page, 'gate').locator('.state').innerText()).trim();
    await page.getByLabel('State').selectOption(gateState);
    const states = await rows.locator('.state').allInnerTexts();
    assert.ok(states.length >= 1 && states.length <= 100, `${states.length} rows in state ${gateState}`);
    assert.deepEqual([...new Set(states.map((t) => t.trim()))], [gateState]);
    assert.equal(await jobRow(page, 'gate').count(), 1, 'the gate is among them');
    assertClean(page);
  } finally {
    milex('milex', 'cancel', 'webwide_20261202000000');
  }
});

test('the machines page shows the two fake GPUs and tests the connection', async () => {
  const page = await openPage(browser, '/machines');
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: /^local/ }) });
  const row = card.locator('table.resources tbody tr', { has: page.getByRole('cell', { name: 'fake' }) }).first();
  await row.waitFor({ timeout: 30000 });
  assert.match((await row.locator('td.gpus').innerText()).trim(), /^[0-2] \/ 2$/);
  await card.getByRole('button', { name: 'Test connection' }).click();
  await card.getByRole('status').filter({ hasText: 'Reached this host' }).waitFor();
  await screenshot(page, 'machines');
  assert.deepEqual(await axeViolations(page), []);
  assertClean(page);
});

test('cancel from the run page, after a confirmation, reaches SLURM', async () => {
  milex('milex-schedule', 'milex-example', '--name', 'webcancel', '--job_name', 'long', '--sleep', '300', '--time', '10');
  milex('milex-run', 'webcancel');
  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^webcancel_/ }).click();
  const row = jobRow(page, 'long');
  await row.locator('.state').waitFor();
  page.expectDialog = true;
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await page.getByRole('status').filter({ hasText: 'Cancelled: long' }).waitFor();
  await row.locator('.state', { hasText: 'CANCELLED' }).waitFor({ timeout: 30000 });
  const id = (await row.locator('td').first().innerText()).trim();
  let state = '';
  for (let waited = 0; waited < 60000; waited += 500) {  // SLURM says COMPLETING for a moment first
    state = execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' });
    if (!state.includes('JobState=COMPLETING')) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.match(state, /JobState=CANCELLED/);
  await screenshot(page, 'cancelled');
  assertClean(page);
});

test('the projects page lists the applications with their git commit', async () => {
  const page = await openPage(browser, '/projects');
  const row = page.locator('tbody tr', { has: page.getByRole('rowheader', { name: 'milex-example-sh' }) });
  await row.waitFor();
  assert.match(await row.innerText(), /webdiamond/);
  await screenshot(page, 'projects');
  assert.deepEqual(await axeViolations(page), []);
  assertClean(page);
});

test('a browser without the token gets nothing from the API', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const res = await page.goto(`${origin}/api/runs`);
  assert.equal(res.status(), 401);
  await context.close();
});

test('launch from an existing job with a changed argument: it reaches SLURM and the application on the node', async () => {
  milex('milex-schedule', 'milex-example', '--name', 'weblaunch', '--job_name', 'L', '--message', 'first', '--repeat', '1', '--time', '5');
  milex('milex-run', 'weblaunch');
  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^weblaunch_/ }).click();
  await jobRow(page, 'L').getByRole('link', { name: 'Launch L again, changed' }).click();
  const message = page.getByLabel('message', { exact: true });
  await message.fill('second, from the dashboard');
  await screenshot(page, 'launch');
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole('button', { name: 'Launch' }).click();
  const done = page.getByRole('status').filter({ hasText: 'Submitted as job' });
  await done.waitFor({ timeout: 60000 });
  await done.getByRole('link').click();
  const row = jobRow(page, 'L');
  await row.locator('.state', { hasText: 'COMPLETED' }).waitFor({ timeout: 120000 });
  await row.getByRole('link', { name: 'L', exact: true }).click();
  // What the application printed on the node: the changed value.
  await page.locator('pre.log').filter({ hasText: '"message": "second, from the dashboard"' }).waitFor({ timeout: 60000 });
  assertClean(page);
});

test('a launch with an argument the application refuses shows its error next to the field and submits nothing', async () => {
  const { readdirSync } = await import('node:fs');
  const jobsDir = `${process.env.MILEX_TEST_DIR}/milex/jobs`;
  const runsDir = `${process.env.MILEX_TEST_DIR}/milex/runs`;
  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^weblaunch_/ }).first().click();
  await jobRow(page, 'L').getByRole('link', { name: 'Launch L again, changed' }).click();
  const bundlesBefore = readdirSync(jobsDir).length, runsBefore = readdirSync(runsDir).length;
  const repeat = page.getByLabel('repeat', { exact: true });
  await repeat.fill('many');
  await page.getByRole('button', { name: 'Launch' }).click();
  const error = page.locator('#field-args_repeat-error');
  await error.waitFor({ timeout: 60000 });
  assert.match(await error.innerText(), /milex-example-cli: error: argument --repeat: invalid int value: 'many'$/);
  assert.equal(await repeat.getAttribute('aria-invalid'), 'true');
  assert.equal(readdirSync(jobsDir).length, bundlesBefore, 'no bundle written');
  assert.equal(readdirSync(runsDir).length, runsBefore, 'nothing submitted');
  await screenshot(page, 'launch-refused');
  assertClean(page);
});

test('the launch form offers only the partitions and GPU types the machine allows, and refuses another next to its field', async () => {
  const { readdirSync } = await import('node:fs');
  const runsDir = `${process.env.MILEX_TEST_DIR}/milex/runs`;
  const page = await openPage(browser, '/runs');
  await page.getByRole('link', { name: /^weblaunch_/ }).first().click();
  await jobRow(page, 'L').getByRole('link', { name: 'Launch L again, changed' }).click();
  const offered = (list) => page.locator(`datalist#${list} option`).evaluateAll((options) => options.map((o) => o.value));
  // The cluster has debug and long, both with fake GPUs; the config allows debug and fake only.
  await page.locator('datalist#gres-offers option').first().waitFor({ state: 'attached', timeout: 30000 });
  assert.deepEqual(await offered('partitions'), ['debug']);
  assert.deepEqual(await offered('gres-offers'), ['gpu:fake:1', 'gpu:fake:2']);
  const partition = page.getByLabel('partition', { exact: true });
  assert.equal(await page.locator('#field-slurm_partition-allowed').innerText(), 'allowed on local: debug');
  assert.equal(await page.locator('#field-slurm_gres-allowed').innerText(), 'GPU types allowed on local: fake');
  const runsBefore = readdirSync(runsDir).length;
  await partition.fill('long');
  await page.getByRole('button', { name: 'Launch' }).click();
  const error = page.locator('#field-slurm_partition-error');
  await error.waitFor({ timeout: 60000 });
  assert.equal(await error.innerText(),
    '--partition "long" is not allowed on machine "local"; its allowed_partitions are debug');
  assert.equal(await partition.getAttribute('aria-invalid'), 'true');
  assert.equal(readdirSync(runsDir).length, runsBefore, 'nothing submitted');
  assert.deepEqual(await axeViolations(page), []);
  assertClean(page);
});

test('seven tabs of one browser each get live updates: one event stream serves them all', async () => {
  // One browser profile allows 6 HTTP/1.1 connections per host across all its tabs: seven tabs,
  // each with a stream of its own, would leave the seventh (and every request) waiting.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  milex('milex-schedule', 'milex-example', '--name', 'webseven', '--job_name', 'S', '--sleep', '20', '--time', '5');
  milex('milex-run', 'webseven');
  const id = readdirSync(`${process.env.MILEX_TEST_DIR}/milex/runs`).find((f) => f.startsWith('webseven_')).replace(/\.json$/, '');
  const tabs = [];
  for (let i = 0; i < 7; i++) tabs.push(await openPage(browser, `/runs/${encodeURIComponent(id)}`, context));
  for (const tab of tabs) await tab.getByRole('heading', { name: /webseven/ }).waitFor({ timeout: 30000 });
  for (const tab of tabs) await tab.evaluate(() => { window.notReloaded = true; });
  // Every tab saw the job before it ended, so what follows is an update, not a first look.
  for (const tab of tabs) {
    const state = (await jobRow(tab, 'S').locator('.state').innerText()).trim();
    assert.doesNotMatch(state, /^(COMPLETED|FAILED|CANCELLED|TIMEOUT)$/, `a tab opened on a job already ${state}`);
  }
  // The job ends while all seven are open: each tab shows it without a reload.
  for (const tab of tabs)
    await jobRow(tab, 'S').locator('.state', { hasText: 'COMPLETED' }).waitFor({ timeout: 120000 });
  for (const tab of tabs) assert.equal(await tab.evaluate(() => window.notReloaded), true, 'no tab was reloaded');
  for (const tab of tabs) assertClean(tab);
  await context.close();
});

test('ten open pages cost the scheduler what one does: one poller per machine, shared', async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  const callsFile = `${process.env.MILEX_TEST_DIR}/squeue-calls`;
  const calls = () => (existsSync(callsFile) ? readFileSync(callsFile, 'utf8').split('\n').length - 1 : 0);
  const first = await openPage(browser, '/machines');
  const polls = async () => (await first.evaluate(async () => (await (await fetch('/api/machines')).json())))
    .find((m) => m.name === 'local').polls;
  // A live run costs its own squeue call per poll, whatever the pages: both counts are taken
  // with none live (under ASan a job of an earlier test was still live in the second window).
  const settle = async () => {
    for (let waited = 0; ; waited += 500) {
      const runs = await first.evaluate(async () => (await (await fetch('/api/runs')).json()));
      const live = runs.filter((run) => run.live).map((run) => run.id);
      if (live.length === 0) return;
      assert.ok(waited < 180000, `runs still live after 180 s: ${live.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  // How many squeue calls one poll makes with one page open.
  const measure = async () => {
    await settle();
    const [c0, p0] = [calls(), await polls()];
    for (let waited = 0; (await polls()) < p0 + 4; waited += 250) {
      assert.ok(waited < 60000, 'the poller stopped polling');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const [c1, p1] = [calls(), await polls()];
    return { calls: c1 - c0, polls: p1 - p0 };
  };
  const one = await measure();
  // A poll whose runs all ended asks squeue nothing, so a poll costs at most one call here
  // (with the whole suite beside it, 3 calls in 4 polls were seen): compare per-poll costs.
  assert.ok(one.polls >= 4 && one.calls >= 1, `one page: ${JSON.stringify(one)}`);
  const perPoll = Math.max(1, Math.ceil(one.calls / one.polls));
  const pages = [];
  for (let i = 0; i < 9; i++) pages.push(await openPage(browser, i % 2 ? '/machines' : '/runs'));
  const ten = await measure();
  // Each poll asks the same whatever the number of pages (one more poll's worth for the edges).
  assert.ok(ten.calls <= (ten.polls + 1) * perPoll, `ten pages: ${JSON.stringify(ten)}, one: ${JSON.stringify(one)}`);
  for (const page of [first, ...pages]) assertClean(page);
});
