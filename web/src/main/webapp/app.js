// PipelineX dashboard: sign in, submit, list jobs, follow one live, read its results.
// Plain DOM; everything from the server goes through textContent.
'use strict';

const $ = (id) => document.getElementById(id);
const AUTH_KEY = 'pipelinex.auth', USER_KEY = 'pipelinex.user';
const STAGE_FINDINGS = ['sast', 'sca', 'secrets'];
const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** Makes an element: el('td', {className: 'x'}, 'text', otherNode). */
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : String(c));
  return e;
}

class Unauthorized extends Error {}

/** A fetch of the API with the stored credentials; a 401 signs the person out. */
async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers, { Authorization: sessionStorage.getItem(AUTH_KEY) || '' });
  // credentials 'omit': the header carries the account, and a 401 must not open the browser's own prompt.
  const res = await fetch(path, Object.assign({}, options, { headers, credentials: 'omit' }));
  if (res.status === 401) {
    signOut('The server did not accept your account (401): sign in again.');
    throw new Unauthorized();
  }
  return res;
}

/** A problem+json answer (or any failed one) as a block that says what went wrong. */
async function problemBlock(res) {
  let p = {};
  try { p = await res.json(); } catch (e) { /* not JSON */ }
  const box = el('div', { className: 'problem', role: 'alert' },
    el('strong', { className: 'problem-title' }, p.title || ('The server answered ' + res.status)),
    el('p', { className: 'problem-detail' }, p.detail || res.statusText));
  if (Array.isArray(p.reasons) && p.reasons.length) {
    box.append(el('ul', { className: 'problem-reasons' }, ...p.reasons.map((r) => el('li', null, r))));
  }
  return box;
}

// ---- signing in ----
function signOut(message) {
  sessionStorage.removeItem(AUTH_KEY);
  sessionStorage.removeItem(USER_KEY);
  stopFollowing();
  clearInterval(state.listTimer);
  $('app').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
  $('signin-msg').textContent = message || '';
  $('signin-password').value = '';
  $('signin-user').focus();
}

async function signIn(user, password) {
  const bytes = new TextEncoder().encode(user + ':' + password);
  const auth = 'Basic ' + btoa(String.fromCharCode(...bytes));
  const res = await fetch('api/jobs?limit=1', { headers: { Authorization: auth }, credentials: 'omit' });
  if (res.status === 401) {
    $('signin-msg').textContent = 'Wrong user name or password.';
    return;
  }
  if (!res.ok) {
    $('signin-msg').textContent = 'The server answered ' + res.status + '; try again later.';
    return;
  }
  sessionStorage.setItem(AUTH_KEY, auth);
  sessionStorage.setItem(USER_KEY, user);
  start();
}

function start() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = 'Signed in as ' + sessionStorage.getItem(USER_KEY);
  $('jobs-body').replaceChildren();
  $('job').hidden = true;
  loadJobs();
  clearInterval(state.listTimer);
  state.listTimer = setInterval(loadJobs, 5000);
  const m = /^#job=([0-9a-f-]+)$/.exec(location.hash);
  if (m) openJob(m[1]);
}

// ---- submitting ----
function metadata() {
  const pipeline = {};
  for (const t of ['run_build', 'run_unit_tests', 'run_sast', 'run_sca', 'run_secret_scan']) pipeline[t] = $(t).checked;
  if ($('fail-on').value) pipeline.fail_on = $('fail-on').value;
  return {
    stack: { language: 'java', framework: $('framework').value, build_tool: 'maven' },
    versions: { java: $('java').value.trim() || '17' },
    pipeline,
  };
}

async function submit(ev) {
  ev.preventDefault();
  const out = $('submit-result');
  const meta = metadata();
  let res;
  $('submit-button').disabled = true;
  out.replaceChildren(el('p', { className: 'muted' }, 'Submitting…'));
  try {
    if (document.querySelector('input[name=source]:checked').value === 'zip') {
      const file = $('project-zip').files[0];
      if (!file) { out.replaceChildren(el('p', { className: 'msg' }, 'Choose a ZIP file first.')); return; }
      const form = new FormData();
      form.append('metadata', JSON.stringify(meta));
      form.append('project_zip', file, file.name);
      res = await api('api/jobs/upload', { method: 'POST', body: form });
    } else {
      meta.github_url = $('github-url').value.trim();
      res = await api('api/jobs/github', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(meta) });
    }
    if (res.status !== 201) { out.replaceChildren(await problemBlock(res)); return; }
    const job = await res.json();
    const box = el('div', { className: 'accepted' }, 'Job ', el('code', null, job.job_id), ' ',
      (job.admission && job.admission.outcome) || 'ACCEPTED', ': stages ', (job.stages || []).join(', '));
    for (const w of (job.admission && job.admission.warnings) || []) box.append(el('p', null, 'Warning: ' + w));
    out.replaceChildren(box);
    loadJobs();
    openJob(job.job_id);
  } catch (e) {
    if (!(e instanceof Unauthorized)) out.replaceChildren(el('p', { className: 'msg' }, 'The submission failed: ' + e.message));
  } finally {
    $('submit-button').disabled = false;
  }
}

// ---- the job list ----
async function loadJobs() {
  try {
    const res = await api('api/jobs?limit=50');
    if (!res.ok) { $('jobs-status').textContent = 'The job list answered ' + res.status; return; }
    const list = await res.json();
    $('jobs-status').textContent = list.total + (list.total === 1 ? ' job' : ' jobs') +
      (list.total > list.jobs.length ? ', the newest ' + list.jobs.length + ' shown' : '');
    $('jobs-body').replaceChildren(...list.jobs.map((j) => {
      const src = j.source || {};
      const tr = el('tr', { className: j.job_id === state.jobId ? 'selected' : '' },
        el('td', null, new Date(j.created_at).toLocaleString()),
        el('td', null, el('button', { type: 'button', title: 'Follow job ' + j.job_id, onclick: () => openJob(j.job_id) },
          j.job_id.slice(0, 8))),
        el('td', null, src.type === 'github' ? src.url : (src.filename || src.type)),
        el('td', null, j.stack_id),
        el('td', null, j.submitted_by),
        el('td', null, el('span', { className: 'state' }, j.state)));
      tr.dataset.jobId = j.job_id;
      tr.lastChild.firstChild.dataset.status = j.state;
      return tr;
    }));
  } catch (e) {
    if (!(e instanceof Unauthorized)) $('jobs-status').textContent = 'Cannot reach the server: ' + e.message;
  }
}

// ---- following one job ----
const state = { jobId: null, abort: null, logs: {}, logStage: null, pinned: false, listTimer: null };

function stopFollowing() {
  if (state.abort) state.abort.abort();
  state.abort = null;
}

function openJob(id) {
  stopFollowing();
  Object.assign(state, { jobId: id, logs: {}, logStage: null, pinned: false });
  history.replaceState(null, '', '#job=' + id);
  $('job').hidden = false;
  $('job-id').textContent = id;
  $('job-state').textContent = 'connecting…';
  delete $('job-state').dataset.status;
  for (const x of ['job-error', 'download-msg']) $(x).textContent = '';
  for (const x of ['stages', 'log-tabs', 'log', 'results-body', 'finding-tabs', 'findings']) $(x).replaceChildren();
  $('results').hidden = true;
  for (const tr of $('jobs-body').children) tr.classList.toggle('selected', tr.dataset.jobId === id);
  follow(id, new AbortController());
}

/** Reads the job's server-sent events with fetch (so it can sign in), reconnecting where it left off. */
async function follow(id, ctl) {
  state.abort = ctl;
  let lastId = null, ended = false, failures = 0;
  while (!ended && !ctl.signal.aborted && state.jobId === id) {
    try {
      const headers = { Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await api('api/jobs/' + id + '/events', { headers, signal: ctl.signal });
      if (!res.ok) { $('job-state').textContent = ''; $('job-error').replaceChildren(await problemBlock(res)); return; }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '', ev = { name: 'message', data: [], id: null };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        failures = 0;
        buf += value;
        let nl;
        while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
          if (buf[nl] === '\r' && nl === buf.length - 1) break; // a \r\n may be split across chunks
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (ev.id !== null) lastId = ev.id;
            if (ev.data.length) ended = onEvent(id, ev.name, ev.data.join('\n')) || ended;
            ev = { name: 'message', data: [], id: null };
          } else if (!line.startsWith(':')) {
            const c = line.indexOf(':');
            const field = c < 0 ? line : line.slice(0, c);
            const val = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
            if (field === 'event') ev.name = val;
            else if (field === 'data') ev.data.push(val);
            else if (field === 'id') ev.id = val;
          }
        }
      }
    } catch (e) {
      if (e instanceof Unauthorized || ctl.signal.aborted) return;
      failures++;
    }
    if (!ended && !ctl.signal.aborted) await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** failures, 15000)));
  }
}

/** Handles one event; true when the job has ended. */
function onEvent(id, name, data) {
  if (state.jobId !== id) return true;
  const d = JSON.parse(data);
  if (name === 'state') showState(d);
  else if (name === 'log') addLog(d.stage, d.line);
  else if (name === 'end') { showResults(id); loadJobs(); return true; }
  return false;
}

function duration(ms) {
  if (ms == null) return '';
  if (ms < 1000) return ms + ' ms';
  const s = ms / 1000;
  return s < 60 ? s.toFixed(1) + ' s' : Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
}

function showState(s) {
  $('job-state').textContent = s.state;
  $('job-state').dataset.status = s.state;
  $('job-error').textContent = s.error || '';
  $('stages').replaceChildren(...(s.stages || []).map((st) => {
    const li = el('li', null, el('span', { className: 'name' }, st.name),
      el('span', { className: 'status' }, st.status), ' ',
      el('span', { className: 'duration' }, st.status === 'RUNNING' ? 'running…' : duration(st.duration_ms)),
      st.message ? el('span', { className: 'message' }, st.message) : null);
    li.dataset.stage = st.name;
    li.dataset.status = st.status;
    li.querySelector('.status').dataset.status = st.status;
    return li;
  }));
}

function addLog(stage, line) {
  if (!state.logs[stage]) {
    state.logs[stage] = [];
    const b = el('button', { type: 'button', role: 'tab', onclick: () => { state.pinned = true; showLog(stage); } }, stage);
    b.dataset.stage = stage;
    $('log-tabs').append(b);
  }
  state.logs[stage].push(line);
  if (!state.pinned && state.logStage !== stage) showLog(stage);
  else if (state.logStage === stage) {
    const pre = $('log');
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 30;
    pre.append(line + '\n');
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  }
}

function showLog(stage) {
  state.logStage = stage;
  for (const b of $('log-tabs').children) b.setAttribute('aria-selected', String(b.dataset.stage === stage));
  const pre = $('log');
  pre.textContent = state.logs[stage].join('\n') + '\n';
  pre.scrollTop = pre.scrollHeight;
}

// ---- results ----
async function showResults(id) {
  try {
    const res = await api('api/jobs/' + id + '/reports');
    if (!res.ok || state.jobId !== id) return;
    const stages = (await res.json()).stages || [];
    $('results-body').replaceChildren(...stages.map((r) => {
      const tr = el('tr', null, el('td', null, r.stage), el('td', null, el('span', { className: 'status' }, r.status)),
        el('td', { className: 'summary' }, summary(r.summary || {})), el('td', null, r.message || ''));
      tr.dataset.stage = r.stage;
      tr.querySelector('.status').dataset.status = r.status;
      return tr;
    }));
    $('finding-tabs').replaceChildren(...stages.filter((r) => STAGE_FINDINGS.includes(r.stage) && r.status !== 'SKIPPED')
      .map((r) => {
        const b = el('button', { type: 'button', onclick: () => showFindings(id, r.stage, b) }, r.stage + ' findings');
        b.dataset.stage = r.stage;
        return b;
      }));
    $('results').hidden = false;
  } catch (e) { /* signed out */ }
}

function summary(s) {
  const parts = [];
  if (s.tests) {
    for (const k of ['passed', 'failed', 'skipped']) {
      parts.push(el('span', { className: 'count tests-' + k }, s.tests[k] + ' ' + k), ' ');
    }
  }
  if (s.findings) {
    for (const k of ['critical', 'high', 'medium', 'low', 'info']) {
      if (s.findings[k]) parts.push(el('span', { className: 'count sev sev-' + k }, s.findings[k] + ' ' + k), ' ');
    }
    if (!parts.length) parts.push('no open findings ');
    if (s.suppressed) parts.push(el('span', { className: 'muted' }, '(' + s.suppressed + ' suppressed)'));
  }
  return el('span', null, ...parts);
}

/** A SARIF result as a row: severity, rule, file:line, CWE/CVE, message, fix. */
function findingRow(r, rules) {
  const rule = rules[r.ruleIndex] || rules.find((x) => x.id === r.ruleId) || {};
  const props = r.properties || {}, rprops = rule.properties || {};
  const sev = props.severity || rprops.severity || r.level || 'warning';
  const pl = ((r.locations || [])[0] || {}).physicalLocation || {};
  const file = (pl.artifactLocation || {}).uri || '';
  const line = (pl.region || {}).startLine;
  const ids = new Set();
  for (const c of [].concat(props.cves || [], props.cwes || [], props.cwe || [])) ids.add(String(c));
  for (const t of rprops.tags || []) {
    const m = /^external\/cwe\/cwe-(\d+)$/.exec(t);
    if (m) ids.add('CWE-' + m[1]);
  }
  const pkg = String(props.package || '').replace(/^pkg:maven\//, '').replace(/@.*$/, '').replace('/', ':');
  const fix = props.fixed_version ? 'upgrade ' + pkg + ' ' + (props.version || '') + ' to ' + props.fixed_version
    : props.package ? 'no fixed version known' : '';
  const supp = (r.suppressions || [])[0];
  return el('tr', null, el('td', null, el('span', { className: 'sev sev-' + sev }, sev)),
    el('td', { className: 'rule' }, r.ruleId || rule.id || ''),
    el('td', { className: 'loc' }, file + (line ? ':' + line : '')),
    el('td', { className: 'ids' }, [...ids].join(', ')),
    el('td', null, (r.message || {}).text || ''),
    el('td', null, supp ? supp.justification || 'suppressed' : fix));
}

async function showFindings(id, stage, button) {
  for (const b of $('finding-tabs').children) b.setAttribute('aria-selected', String(b === button));
  const box = $('findings');
  box.replaceChildren(el('p', { className: 'muted' }, 'Loading…'));
  try {
    const res = await api('api/jobs/' + id + '/reports/' + stage + '/sarif');
    if (!res.ok) { box.replaceChildren(await problemBlock(res)); return; }
    const run = ((await res.json()).runs || [])[0] || {};
    const rules = ((run.tool || {}).driver || {}).rules || [];
    const all = run.results || [];
    const rank = (r) => ['critical', 'high', 'medium', 'low', 'info'].indexOf((r.properties || {}).severity) >>> 0;
    all.sort((a, b) => rank(a) - rank(b));
    const open = all.filter((r) => !(r.suppressions || []).length), suppressed = all.filter((r) => (r.suppressions || []).length);
    const table = (rows, last) => el('table', { className: 'findings' },
      el('thead', null, el('tr', null, ...['Severity', 'Rule', 'Where', 'CWE / CVE', 'Message', last].map((h) => el('th', null, h)))),
      el('tbody', null, ...rows.map((r) => findingRow(r, rules))));
    box.replaceChildren(el('h4', null, stage + ': ' + open.length + ' open finding' + (open.length === 1 ? '' : 's')));
    box.firstChild.dataset.stage = stage;
    box.append(open.length ? table(open, 'Fix') : el('p', { className: 'none' }, 'No findings.'));
    if (suppressed.length) {
      box.append(el('h4', null, suppressed.length + ' suppressed'), table(suppressed, 'Justification'));
      box.lastChild.classList.add('suppressed');
    }
  } catch (e) {
    if (!(e instanceof Unauthorized)) box.replaceChildren(el('p', { className: 'msg' }, e.message));
  }
}

async function download() {
  const id = state.jobId;
  $('download-msg').textContent = 'Downloading…';
  try {
    const res = await api('api/jobs/' + id + '/reports.zip');
    if (!res.ok) { $('download-msg').replaceChildren(await problemBlock(res)); return; }
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: 'pipelinex-' + id + '-reports.zip' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $('download-msg').textContent = '';
  } catch (e) {
    if (!(e instanceof Unauthorized)) $('download-msg').textContent = 'Download failed: ' + e.message;
  }
}

// ---- wiring ----
document.addEventListener('DOMContentLoaded', () => {
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    signIn($('signin-user').value, $('signin-password').value).catch((e) => { $('signin-msg').textContent = e.message; });
  });
  $('signout').addEventListener('click', () => signOut(''));
  $('submit-form').addEventListener('submit', submit);
  $('jobs-refresh').addEventListener('click', loadJobs);
  $('download').addEventListener('click', download);
  for (const r of document.querySelectorAll('input[name=source]')) {
    r.addEventListener('change', () => {
      const zip = document.querySelector('input[name=source]:checked').value === 'zip';
      $('zip-field').hidden = !zip;
      $('url-field').hidden = zip;
    });
  }
  if (sessionStorage.getItem(AUTH_KEY)) start(); else signOut('');
});
