// Drives the PipelineX dashboard in headless Chromium as a person would, for DashboardIT.
// Environment: PX_BASE (http://127.0.0.1:PORT/), PX_USER/PX_PASSWORD (a submitter),
// PX_OTHER_USER/PX_OTHER_PASSWORD (another submitter), PX_GREETING_ZIP, PX_SHOP_ZIP (project
// ZIPs), PX_NOT_A_ZIP (a file that is no ZIP), PX_ARTEFACTS (where screenshots go).
// Exits 0 when every check held, 1 otherwise (after a screenshot of the page as it was).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const env = (k) => { if (!process.env[k]) throw new Error('missing ' + k); return process.env[k]; };
const BASE = env('PX_BASE'), USER = env('PX_USER'), PASSWORD = env('PX_PASSWORD');
const OUT = env('PX_ARTEFACTS');
const JOB_TIMEOUT = 8 * 60_000;
fs.mkdirSync(OUT, { recursive: true });

const t0 = Date.now();
const log = (...a) => console.log(`[dashboard ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  log('ok:', what);
}

const browser = await chromium.launch({
  executablePath: process.env.PX_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[014]/.test(m.text())) pageErrors.push(m.text()); });
// Every request for a job's event stream, with the Last-Event-ID it sent.
const streams = [];
page.on('request', (r) => { if (r.url().endsWith('/events')) streams.push({ url: r.url(), lastId: r.headers()['last-event-id'] || null }); });
// Nothing but the server under test is ever asked for.
const foreign = [];
page.on('request', (r) => { if (!r.url().startsWith(BASE) && !r.url().startsWith('blob:')) foreign.push(r.url()); });

/** The API as the test's own client (to compare what the page shows with what the server says). */
async function apiGet(p) {
  const r = await fetch(new URL(p, BASE), { headers: { Authorization: 'Basic ' + Buffer.from(USER + ':' + PASSWORD).toString('base64') } });
  if (!r.ok) throw new Error('GET ' + p + ' answered ' + r.status);
  return r.text();
}

async function signIn(user, password) {
  await page.locator('#signin-user').fill(user);
  await page.locator('#signin-password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Submits a ZIP with the stages given switched on, and returns the new job's id. */
async function submitZip(zip, stages) {
  await page.locator('#project-zip').setInputFiles(zip);
  for (const t of ['run_build', 'run_unit_tests', 'run_sast', 'run_sca', 'run_secret_scan']) {
    await page.locator('#' + t).setChecked(stages.includes(t));
  }
  await page.locator('#submit-button').click();
  await page.locator('#submit-result .accepted').waitFor({ timeout: 60_000 });
  const id = (await page.locator('#submit-result .accepted code').textContent()).trim();
  await page.locator('#job-id', { hasText: id }).waitFor();
  return id;
}

/** Watches the open job to its end on the page; returns what was seen on the way. */
async function watch(expected) {
  const seen = { states: new Set(), stageStatuses: new Set(), linesWhileRunning: 0, growth: false };
  let lastLines = -1;
  const deadline = Date.now() + JOB_TIMEOUT;
  for (;;) {
    const s = await page.evaluate(() => ({
      state: document.getElementById('job-state').textContent,
      stages: [...document.querySelectorAll('#stages li')].map((li) => li.dataset.stage + ':' + li.dataset.status),
      lines: Object.values(document.querySelectorAll('#log-tabs button')).length
        ? document.getElementById('log').textContent.split('\n').length : 0,
      marker: window.__notReloaded === true,
    }));
    if (!s.marker) throw new Error('the page was reloaded');
    seen.states.add(s.state);
    s.stages.forEach((x) => seen.stageStatuses.add(x));
    if (s.state === 'RUNNING' && s.lines > 1) {
      seen.linesWhileRunning = Math.max(seen.linesWhileRunning, s.lines);
      if (lastLines > 1 && s.lines !== lastLines) seen.growth = true;
      lastLines = s.lines;
    }
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s.state)) {
      check(s.state === expected, `the job ended ${expected} (${s.state}; ${s.stages.join(' ')})`);
      return seen;
    }
    if (Date.now() > deadline) throw new Error('the job did not end in time: ' + JSON.stringify(s));
    await page.waitForTimeout(200);
  }
}

try {
  // ---- signing in: the page itself is open, the API is not ----
  await page.goto(BASE);
  await page.evaluate(() => { window.__notReloaded = true; });
  await page.locator('#signin-form').waitFor();
  await signIn(USER, 'not-the-password');
  await page.locator('#signin-msg', { hasText: 'Wrong user name or password' }).waitFor();
  check(true, 'a wrong password is refused with a message');
  await signIn(USER, PASSWORD);
  await page.locator('#who-name', { hasText: 'Signed in as ' + USER }).waitFor();
  check(await page.locator('#app').isVisible(), 'signed in');

  // ---- a refused submission shows the problem's detail ----
  const refusal = await (async () => {
    const form = new FormData();
    form.append('metadata', '{"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"}}');
    form.append('project_zip', new Blob([fs.readFileSync(env('PX_NOT_A_ZIP'))]), 'project.zip');
    const r = await fetch(new URL('api/jobs/upload', BASE), { method: 'POST', body: form,
      headers: { Authorization: 'Basic ' + Buffer.from(USER + ':' + PASSWORD).toString('base64') } });
    return { status: r.status, problem: await r.json() };
  })();
  check(refusal.status === 400 && refusal.problem.detail, 'the API refuses a file that is no ZIP: ' + refusal.problem.detail);
  await page.locator('#project-zip').setInputFiles(env('PX_NOT_A_ZIP'));
  await page.locator('#submit-button').click();
  await page.locator('#submit-result .problem').waitFor();
  check((await page.locator('#submit-result .problem-title').textContent()) === refusal.problem.title,
    'the refusal\'s title is shown: ' + refusal.problem.title);
  check((await page.locator('#submit-result .problem-detail').textContent()) === refusal.problem.detail,
    'the refusal\'s detail is shown');
  await page.screenshot({ path: path.join(OUT, 'dashboard-refused.png') });

  // ---- greeting-service, SAST and SCA off, followed live ----
  // The first event stream the page opens breaks off after the third line of the build log,
  // as a dropped connection would: the page must resume it from there with Last-Event-ID.
  let cut = false;
  await page.route('**/api/jobs/*/events', async (route) => {
    if (cut) return route.continue();
    cut = true;
    const r = await fetch(route.request().url(), { headers: await route.request().allHeaders() });
    const reader = r.body.getReader(), decoder = new TextDecoder();
    let text = '', whole = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      whole = text.slice(0, text.lastIndexOf('\n\n') + 2);
      if (whole.split('"stage":"build"').length > 3) break;
    }
    await reader.cancel().catch(() => {});
    log(`the first stream breaks off after ${whole.split('\n\n').length - 1} events`);
    await route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: whole });
  });
  const greeting = await submitZip(env('PX_GREETING_ZIP'), ['run_build', 'run_unit_tests', 'run_secret_scan']);
  log('greeting-service is job', greeting);
  const seen = await watch('SUCCEEDED');
  await page.unroute('**/api/jobs/*/events');
  check(seen.states.has('RUNNING'), 'the job was seen RUNNING on the page: ' + [...seen.states]);
  check(seen.stageStatuses.has('build:RUNNING') || seen.stageStatuses.has('test:RUNNING'),
    'a stage was seen RUNNING: ' + [...seen.stageStatuses]);
  check(seen.stageStatuses.has('build:PASSED') && seen.stageStatuses.has('test:PASSED'), 'and then PASSED');
  check(seen.stageStatuses.has('sast:SKIPPED') && seen.stageStatuses.has('sca:SKIPPED'), 'SAST and SCA were skipped');
  check(seen.linesWhileRunning > 1 && seen.growth, `log lines appeared and grew while the job ran (${seen.linesWhileRunning})`);
  const durations = await page.locator('#stages li[data-stage=test] .duration').textContent();
  check(/\d/.test(durations), 'the test stage shows its duration: ' + durations);
  for (const stage of ['resolve', 'build', 'test', 'secrets']) {
    check(await page.locator(`#log-tabs button[data-stage=${stage}]`).count() === 1, 'a log tab for ' + stage);
  }
  const eventRequests = streams.filter((x) => x.url.includes(greeting)).map((x) => x.lastId);
  check(cut && eventRequests.length >= 2 && eventRequests.slice(1).every((id) => id),
    `the stream was cut and resumed with Last-Event-ID (${eventRequests.length} requests: ${eventRequests.join(', ')})`);
  for (const stage of ['resolve', 'build', 'test', 'secrets']) {
    await page.locator(`#log-tabs button[data-stage=${stage}]`).click();
    const shown = await page.locator('#log').textContent();
    const served = await apiGet(`api/jobs/${greeting}/reports/${stage}/log`);
    check(shown.replace(/\n$/, '') === served.replace(/\n$/, ''),
      `the ${stage} log on the page is the server's, every line once (${served.split('\n').length - 1} lines)`);
  }
  await page.locator('#log-tabs button[data-stage=test]').click();
  check((await page.locator('#log').textContent()).trim().length > 0, 'the test stage\'s log is shown');

  await page.locator('#results-body tr[data-stage=test]').waitFor();
  const tests = page.locator('#results-body tr[data-stage=test]');
  check(await tests.locator('.tests-passed').textContent() === '4 passed', 'the page shows 4 tests passed');
  check(await tests.locator('.tests-failed').textContent() === '0 failed', '0 failed');
  check(await tests.locator('.tests-skipped').textContent() === '1 skipped', '1 skipped');
  check(await page.locator('#finding-tabs button').count() === 1, 'only the secrets stage has findings to show');
  await page.locator('#finding-tabs button[data-stage=secrets]').click();
  await page.locator('#findings h4[data-stage=secrets]').waitFor();
  check(await page.locator('#findings .none').textContent() === 'No findings.', 'greeting-service has no secret');

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download').click()]);
  const zipPath = path.join(OUT, 'greeting-reports.zip');
  await download.saveAs(zipPath);
  const zip = fs.readFileSync(zipPath);
  check(zip.length > 100 && zip.subarray(0, 2).toString() === 'PK', `reports.zip downloads (${zip.length} bytes)`);
  check(download.suggestedFilename() === `pipelinex-${greeting}-reports.zip`, 'as ' + download.suggestedFilename());
  await page.screenshot({ path: path.join(OUT, 'dashboard.png'), fullPage: true });

  // ---- vulnerable-shop, the secrets and SCA scans ----
  const shop = await submitZip(env('PX_SHOP_ZIP'), ['run_sca', 'run_secret_scan']);
  log('vulnerable-shop is job', shop);
  await watch('SUCCEEDED');
  await page.locator('#finding-tabs button[data-stage=secrets]').click();
  await page.locator('#findings h4[data-stage=secrets]').waitFor();
  const rows = await page.locator('#findings table.findings').first().locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  log('secrets found:', JSON.stringify(rows));
  const where = rows.map((r) => r[2]);
  for (const line of [12, 13, 14, 15, 16]) {
    check(where.includes('src/main/resources/application.properties:' + line), 'a secret at application.properties:' + line);
  }
  check(where.some((w) => w.startsWith('src/main/resources/keys/server.pem')), 'the private key is found');
  check(rows.every((r) => /^(critical|high|medium|low|info)$/.test(r[0]) && r[1].length > 0), 'each has a severity and a rule');
  check(rows.every((r) => r[3].includes('CWE-798')), 'each names CWE-798');
  await page.screenshot({ path: path.join(OUT, 'dashboard-findings.png'), fullPage: true });
  await page.locator('#finding-tabs button[data-stage=sca]').click();
  await page.locator('#findings h4[data-stage=sca]').waitFor();
  const sca = await page.locator('#findings table.findings').first().locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  const log4shell = sca.find((r) => r[3].includes('CVE-2021-44228'));
  log('Log4Shell as shown:', JSON.stringify(log4shell));
  check(log4shell && log4shell[0] === 'critical' && log4shell[2].startsWith('pom.xml:'), 'SCA lists Log4Shell, critical, at its pom.xml line');
  check(/^upgrade org\.apache\.logging\.log4j:log4j-core 2\.14\.1 to \d+\.\d+/.test(log4shell[5]), 'with the fix: ' + log4shell[5]);
  await page.screenshot({ path: path.join(OUT, 'dashboard-sca.png'), fullPage: true });

  // ---- the list: both jobs, newest first ----
  await page.locator('#jobs-refresh').click();
  await page.locator(`#jobs-body tr[data-job-id="${shop}"]`).waitFor();
  const listed = await page.locator('#jobs-body tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.jobId));
  check(listed.indexOf(shop) >= 0 && listed.indexOf(shop) < listed.indexOf(greeting), 'both jobs are listed, newest first');
  const row = await page.locator(`#jobs-body tr[data-job-id="${greeting}"] td`).allTextContents();
  check(row[3] === 'spring-boot-maven' && row[4] === USER && row[5] === 'SUCCEEDED', 'with stack, submitter and state: ' + row);

  // ---- another submitter sees neither ----
  await page.locator('#signout').click();
  await page.locator('#signin-form').waitFor();
  await signIn(env('PX_OTHER_USER'), env('PX_OTHER_PASSWORD'));
  await page.locator('#who-name', { hasText: 'Signed in as ' + env('PX_OTHER_USER') }).waitFor();
  await page.locator('#jobs-status', { hasText: 'job' }).waitFor();
  const others = await page.locator('#jobs-body tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.jobId));
  check(!others.includes(greeting) && !others.includes(shop), `${env('PX_OTHER_USER')} does not see ${USER}'s jobs (${others.length} listed)`);
  await page.evaluate((id) => { location.hash = '#job=' + id; }, greeting);
  await page.locator('#signout').click();
  await signIn(env('PX_OTHER_USER'), env('PX_OTHER_PASSWORD'));
  await page.locator('#job-error .problem').waitFor();
  check(/No such job/.test(await page.locator('#job-error .problem').textContent()), 'and cannot follow it: ' + await page.locator('#job-error .problem').textContent());

  check(pageErrors.length === 0, 'no script errors on the page: ' + pageErrors.join('; '));
  check(foreign.length === 0, 'no request left the server under test: ' + foreign.join(' '));
  log('all checks passed');
  await browser.close();
  process.exit(0);
} catch (e) {
  console.error('[dashboard] FAILED:', e.stack || e);
  await page.screenshot({ path: path.join(OUT, 'dashboard-failure.png'), fullPage: true }).catch(() => {});
  await browser.close().catch(() => {});
  process.exit(1);
}
