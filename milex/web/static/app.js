// The milex dashboard: one page app on preact + htm (vendored, no build step). Everything a
// job wrote (names, arguments, logs) reaches the page as text nodes, never as HTML.
import { html, render, useState, useEffect, useRef, useMemo } from '/vendor/htm-preact-standalone.module.js';

// ---- talking to the server ------------------------------------------------------------------

/// The answer's body and the server's version it was read at (X-Milex-Version).
async function request(path, options = {}) {
  const init = { method: options.method || 'GET', headers: {} };
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const first = window.milexFirst;
  let res;
  if (first && first.path === path && init.method === 'GET') {
    window.milexFirst = null;  // read by boot.js before the modules had loaded
    res = await first.response;
  } else {
    res = await fetch('/api' + path, init);
  }
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const error = new Error((body && body.error) || `HTTP ${res.status}`);
    error.status = res.status;
    error.body = body;
    throw error;
  }
  return { body, version: Number(res.headers.get('X-Milex-Version')) || 0 };
}

async function api(path, options = {}) {
  return (await request(path, options)).body;
}

// One event stream for all the tabs of this browser, held by a shared worker (events-worker.js):
// a browser opens at most 6 HTTP/1.1 connections per host across its tabs, so a stream per tab
// would starve the seventh. Every page listens to it and refetches what it shows when the server
// says something changed. Without shared workers (some mobile browsers), a stream of its own.
const listeners = new Set();
let lastVersion = 0;
function deliver(version) {
  lastVersion = version;
  for (const listener of listeners) listener(version);
}
let events = null;  // what to close when the page goes away
function openEvents() {
  if (typeof SharedWorker === 'function') {
    try {
      const worker = new SharedWorker('/events-worker.js', { name: 'milex-events' });
      worker.port.onmessage = (event) => { if (event.data.type === 'update') deliver(event.data.version); };
      events = { close: () => worker.port.postMessage({ type: 'close' }) };
      return;
    } catch (e) {
      // fall through to a stream of this tab's own
    }
  }
  const source = new EventSource('/api/events');
  source.addEventListener('update', (event) => deliver(JSON.parse(event.data).version));
  events = source;
}
addEventListener('pagehide', () => { events?.close(); events = null; });
// A tab restored from the back-forward cache closed its events when it was hidden.
addEventListener('pageshow', (event) => { if (event.persisted && !events) openEvents(); });

function useVersion() {
  const [version, setVersion] = useState(lastVersion);
  useEffect(() => {
    listeners.add(setVersion);
    return () => listeners.delete(setVersion);
  }, []);
  return version;
}

/// Fetches `path` now and again whenever the server's version goes past the answer's: one
/// request at a time, and none when the event stream only names the version the page already
/// holds (its first event does, on every page load: a second read of a 1,000-job run otherwise).
function useApi(path) {
  const version = useVersion();
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const held = useRef({ path: null, version: -1, busy: null, token: null });
  useEffect(() => () => { held.current.token = null; }, []);
  useEffect(() => {
    const h = held.current;
    if (h.path !== path) Object.assign(h, { path, version: -1, busy: null, token: {} });
    const token = h.token;
    const pull = () => {
      if (h.token !== token || h.busy === token || (h.version >= 0 && h.version >= lastVersion)) return;
      h.busy = token;
      request(path).then(({ body, version: v }) => {
        if (h.token !== token) return;
        h.busy = null;
        h.version = v;
        setState({ data: body, error: null, loading: false });
        pull();
      }, (error) => {
        if (h.token !== token) return;
        h.busy = null;
        setState((s) => ({ data: s.data, error, loading: false }));
      });
    };
    pull();
  }, [path, version]);
  return state;
}

// ---- routing: the URL says where we are, Back works ------------------------------------------

function navigate(href) {
  history.pushState(null, '', href);
  dispatchEvent(new Event('milex:navigate'));
}

function useLocation() {
  const [where, setWhere] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setWhere(location.pathname + location.search);
    addEventListener('popstate', update);
    addEventListener('milex:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('milex:navigate', update);
    };
  }, []);
  return where;
}

function Link({ href, children, ...rest }) {
  const click = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}

const enc = encodeURIComponent;
const runHref = (id) => `/runs/${enc(id)}`;
const launchHref = (id, job) => `/runs/${enc(id)}/jobs/${enc(job)}/launch`;
const logsHref = (id, job, task, stream) => {
  const query = new URLSearchParams();
  if (task) query.set('task', task);
  if (stream === 'stderr') query.set('stream', 'stderr');
  const q = query.toString();
  return `/runs/${enc(id)}/jobs/${enc(job)}/logs${q ? '?' + q : ''}`;
};

// ---- small pieces ---------------------------------------------------------------------------

const FAILED_STATES = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'NEVER_RAN', 'BOOT_FAIL', 'DEADLINE']);
function stateClass(state) {
  if (state === 'COMPLETED') return 'state state-ok';
  if (FAILED_STATES.has(state)) return 'state state-bad';
  if (state === 'CANCELLED' || state === 'PREEMPTED' || state === 'STOPPED') return 'state state-off';
  if (state === 'RUNNING') return 'state state-run';
  return 'state state-wait';
}
// Colour and text: the state's name is always written out.
const State = ({ state }) => html`<span class=${stateClass(state)}>${state}</span>`;

function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message}</p>`;
}

/// A name without spaces (`resnet50_imagenet_sweep_…`) with places to wrap after its underscores.
function breakable(name) {
  return name.split('_').flatMap((part, i) => (i ? [html`_<wbr />`, part] : [part]));
}

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

// ---- Runs -----------------------------------------------------------------------------------

function RunsPage() {
  const { data, error } = useApi('/runs');
  const [name, setName] = useState('');
  const [machine, setMachine] = useState('');
  const [state, setState] = useState('');
  const runs = data || [];
  const machines = [...new Set(runs.map((r) => r.machine))].sort();
  const states = [...new Set(runs.flatMap((r) => Object.keys(r.counts || {})))].sort();
  const shown = runs.filter((r) =>
    (!name || r.bundle.includes(name)) && (!machine || r.machine === machine) &&
    (!state || (r.counts && r.counts[state])));
  const failed = (r) => Object.keys(r.counts || {}).some((s) => FAILED_STATES.has(s));
  if (data && !runs.length) {
    return html`
      <h1>Runs</h1>
      <section class="empty" aria-label="No runs yet">
        <p>No runs yet. Schedule a job with <code>milex-schedule APP [its arguments]</code>, then submit its
          bundle with <code>milex-run BUNDLE</code>: the run shows here with its jobs' states, on every
          machine of this dashboard.</p>
        <p>Jobs that wait for each other go in one bundle: <code>milex-schedule APP --name NAME --append --dependencies JOB</code>;
          see <code>milex-schedule --help</code>.</p>
      </section>`;
  }
  return html`
    <h1>Runs</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Name <input type="search" value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <label>Machine <select value=${machine} onChange=${(e) => setMachine(e.target.value)}>
        <option value="">all</option>
        ${machines.map((m) => html`<option value=${m}>${m}</option>`)}
      </select></label>
      <label>State <select value=${state} onChange=${(e) => setState(e.target.value)}>
        <option value="">all</option>
        ${states.map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
    </form>
    <${ErrorNote} error=${error} />
    ${runs.length > 0 && html`
    <table class="runs">
      <caption class="visually-hidden">Runs, newest first</caption>
      <thead><tr><th scope="col">Bundle</th><th scope="col">Machine</th><th scope="col">Submitted</th>
        <th scope="col">Jobs</th><th scope="col">States</th><th scope="col">Live</th></tr></thead>
      <tbody>
        ${shown.map((r) => html`
          <tr key=${r.id} data-run=${r.id} class=${failed(r) ? 'row-bad' : undefined}>
            <th scope="row"><${Link} href=${runHref(r.id)}>${breakable(r.bundle)}</${Link}>${r.submission > 1 ? ` (#${r.submission})` : ''}</th>
            <td>${r.machine}</td>
            <td>${when(r.created)}</td>
            <td>${r.jobs}</td>
            <td class="counts">${r.error ? html`<span class="error">${r.error}</span>` :
              Object.entries(r.counts || {}).map(([s, n]) => html`<span class=${stateClass(s)}>${n} ${s}</span> `)}</td>
            <td>${r.live ? 'live' : 'ended'}</td>
          </tr>`)}
      </tbody>
    </table>`}`;
}

// ---- A run ----------------------------------------------------------------------------------

/// The dependency graph as an SVG: one column per depth, an arrow from each job to what waits for it.
function Graph({ jobs }) {
  const layout = useMemo(() => {
    if (jobs.length > 200) return null;
    const byName = new Map(jobs.map((j) => [j.name, j]));
    const depth = new Map();
    const depthOf = (name, seen = new Set()) => {
      if (depth.has(name)) return depth.get(name);
      if (seen.has(name)) return 0;
      seen.add(name);
      const job = byName.get(name);
      const d = job && job.after.length ? 1 + Math.max(...job.after.filter((a) => byName.has(a)).map((a) => depthOf(a, seen)), -1) : 0;
      depth.set(name, d);
      return d;
    };
    const columns = [];
    for (const job of jobs) {
      const d = depthOf(job.name);
      (columns[d] = columns[d] || []).push(job);
    }
    const place = new Map();
    columns.forEach((column, x) => column.forEach((job, y) => place.set(job.name, { x: 20 + x * 190, y: 20 + y * 56 })));
    const height = 40 + Math.max(1, ...columns.map((c) => c.length)) * 56;
    const width = 40 + columns.length * 190;
    return { place, height, width };
  }, [jobs]);
  if (jobs.length > 200) return html`<p>The graph is drawn for runs of up to 200 jobs; this one has ${jobs.length}.</p>`;
  const { place, height, width } = layout;
  const label = (job) => {
    const tasks = job.tasks ? Object.keys(job.tasks).length : 0;
    const name = job.name.length > 18 ? job.name.slice(0, 17) + '…' : job.name;
    return tasks > 1 ? `${name} [${tasks} tasks]` : name;
  };
  return html`
    <svg class="graph" viewBox="0 0 ${width} ${height}" width=${width} height=${height} role="img"
         aria-label="Dependency graph: each arrow goes from a job to one that waits for it">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" /></marker></defs>
      ${jobs.flatMap((job) => job.after.filter((a) => place.has(a)).map((a) => {
        const from = place.get(a), to = place.get(job.name);
        return html`<line class="edge" x1=${from.x + 160} y1=${from.y + 18} x2=${to.x} y2=${to.y + 18} marker-end="url(#arrow)" />`;
      }))}
      ${jobs.map((job) => {
        const p = place.get(job.name);
        return html`<g class=${'node ' + stateClass(job.state)} transform="translate(${p.x} ${p.y})">
          <title>${job.name}: ${job.state}</title>
          <rect width="160" height="36" rx="4" />
          <text x="8" y="15">${label(job)}</text>
          <text x="8" y="30" class="node-state">${job.state}</text>
        </g>`;
      })}
    </svg>`;
}

async function confirmThen(question, action, setMessage) {
  if (!confirm(question)) return;
  try {
    setMessage({ text: await action() });
  } catch (error) {
    setMessage({ error: error.message });
  }
}

// A run page lays out this many jobs at first (a table of 1,000 rows takes Chromium seconds to
// lay out); the rest are a click away, and the state filter finds the ones that matter.
const JOB_PAGE = 100;

function RunPage({ id }) {
  const { data: run, error } = useApi(`/runs/${enc(id)}`);
  const [message, setMessage] = useState(null);
  const [only, setOnly] = useState('');
  const [limit, setLimit] = useState(JOB_PAGE);
  useEffect(() => { setOnly(''); setLimit(JOB_PAGE); }, [id]);
  if (error && !run) return html`<h1>Run ${id}</h1><${ErrorNote} error=${error} />`;
  if (!run) return html`<h1>Run ${id}</h1><p>Loading…</p>`;
  const counts = {};
  for (const job of run.jobs) counts[job.state] = (counts[job.state] || 0) + 1;
  const cancel = (jobs) => confirmThen(
    jobs ? `Cancel job ${jobs[0]} of ${run.bundle}?` : `Cancel every job of ${run.bundle} that has not ended?`,
    async () => {
      const { cancelled } = await api(`/runs/${enc(id)}/cancel`, { method: 'POST', body: jobs ? { jobs } : {} });
      return cancelled.length ? `Cancelled: ${cancelled.join(', ')}` : 'Nothing to cancel: every job has ended.';
    }, setMessage);
  const resubmit = () => confirmThen(
    `Resubmit the failed and timed-out jobs of ${run.bundle} (and what depends on them)?`,
    async () => {
      const { resubmitted } = await api(`/runs/${enc(id)}/resubmit`, { method: 'POST', body: { failed: true, timeout: true } });
      return resubmitted.length ? `Resubmitted: ${resubmitted.join(', ')}` : 'Nothing to resubmit: no job failed or timed out.';
    }, setMessage);
  const anyFailed = run.jobs.some((j) => ['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED'].includes(j.state));
  const apps = Object.entries(run.applications || {});
  const listed = only ? run.jobs.filter((j) => j.state === only) : run.jobs;
  const rows = listed.slice(0, limit);
  return html`
    <h1>${run.name} <small>on ${run.machine}, run ${run.submission}</small></h1>
    <p class="summary" aria-live="polite">
      ${Object.entries(counts).map(([s, n]) => html`<span class=${stateClass(s)}>${n} ${s}</span> `)}
      ${run.live ? ' · live' : ' · ended'}
    </p>
    <p class="actions">
      <button type="button" onClick=${() => cancel(null)} disabled=${!run.live}>Cancel run</button>
      <button type="button" onClick=${resubmit} disabled=${!anyFailed}>Resubmit failed jobs</button>
    </p>
    ${message && html`<p role="status" class=${message.error ? 'error' : 'note'}>${message.error || message.text}</p>`}
    <h2>Jobs</h2>
    ${run.jobs.length > 1 && html`
      <form class="filters" onSubmit=${(e) => e.preventDefault()}>
        <label>State <select value=${only} onChange=${(e) => { setOnly(e.target.value); setLimit(JOB_PAGE); }}>
          <option value="">all (${run.jobs.length})</option>
          ${Object.entries(counts).map(([s, n]) => html`<option value=${s}>${s} (${n})</option>`)}
        </select></label>
      </form>`}
    <table class="jobs">
      <thead><tr><th scope="col">Job</th><th scope="col">ID</th><th scope="col">State</th><th scope="col">Exit</th>
        <th scope="col">Elapsed</th><th scope="col">Node</th><th scope="col">Reason</th><th scope="col">Waits for</th>
        <th scope="col">Actions</th></tr></thead>
      <tbody>
        ${rows.map((job) => html`
          <tr key=${job.name} data-job=${job.name} class=${FAILED_STATES.has(job.state) ? 'row-bad' : undefined}>
            <th scope="row"><${Link} href=${logsHref(id, job.name)}>${job.name}</${Link}>${job.attempt > 1 ? ` (attempt ${job.attempt})` : ''}
              ${job.tasks && Object.keys(job.tasks).length > 1 && html`<span class="tasks"> (${Object.keys(job.tasks).length} tasks:
                ${Object.entries(job.tasks).map(([t, s]) => html` <${Link} href=${logsHref(id, job.name, t)} title=${`task ${t}: ${s.state}`}>${t}</${Link}>`)})</span>`}</th>
            <td>${job.job_id}</td>
            <td><${State} state=${job.state} /></td>
            <td>${job.exit_code || ''}</td>
            <td>${job.elapsed || ''}</td>
            <td>${job.node || ''}</td>
            <td>${job.reason || ''}</td>
            <td>${job.after.join(', ')}</td>
            <td>${['PENDING', 'RUNNING', 'NEVER_RAN', 'SUBMITTED', 'UNKNOWN'].includes(job.state) &&
              html`<button type="button" onClick=${() => cancel([job.name])} aria-label=${`Cancel ${job.name}`}>Cancel</button> `}
              <${Link} href=${launchHref(id, job.name)} aria-label=${`Launch ${job.name} again, changed`}>Launch again</${Link}></td>
          </tr>`)}
      </tbody>
    </table>
    ${rows.length < listed.length && html`
      <p class="more">Showing ${rows.length} of ${listed.length} jobs${only ? ` in state ${only}` : ''}.
        <button type="button" onClick=${() => setLimit(limit + JOB_PAGE)}>Show ${Math.min(JOB_PAGE, listed.length - rows.length)} more</button>
        <button type="button" onClick=${() => setLimit(listed.length)}>Show all ${listed.length}</button></p>`}
    <h2>Dependencies</h2>
    <div class="graph-box" tabindex="0" role="region" aria-label="Dependency graph"><${Graph} jobs=${run.jobs} /></div>
    <h2>Applications</h2>
    ${apps.length ? html`
      <table>
        <thead><tr><th scope="col">Application</th><th scope="col">Commit</th><th scope="col">Branch</th>
          <th scope="col">Repository</th><th scope="col">Dirty</th></tr></thead>
        <tbody>${apps.map(([script, git]) => html`<tr><th scope="row">${script}</th><td>${git.git_commit || ''}</td>
          <td>${git.git_branch || ''}</td><td>${git.git_remote || ''}</td><td>${git.git_dirty === undefined ? '' : git.git_dirty ? 'yes' : 'no'}</td></tr>`)}</tbody>
      </table>` : html`<p>No application with a git repository was recorded.</p>`}
    <h2>Machine settings</h2>
    <pre class="settings" tabindex="0" aria-label="Machine settings">${JSON.stringify(run.machine_settings, null, 2)}</pre>
    <p>Bundle file: <code>${run.bundle_file}</code>; record: <code>${run.record}</code>; milex ${run.milex_version}.</p>`;
}

// ---- A job's logs ---------------------------------------------------------------------------

const URL_PATTERN = /https:\/\/wandb\.ai\/[^\s"'<>]+/g;
/// Text with its W&B URLs as links; everything else stays text.
function LogText({ text }) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(last, match.index));
    parts.push(html`<a href=${match[0]} rel="noopener noreferrer" target="_blank">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return html`<pre class="log" tabindex="0" aria-label="Log">${parts}</pre>`;
}

function LogsPage({ id, job, task, stream }) {
  const version = useVersion();
  const [log, setLog] = useState({ text: '', offset: null, error: null, info: null });
  const follow = useRef({ offset: null, ended: false });
  useEffect(() => { follow.current = { offset: null, ended: false }; setLog({ text: '', offset: null, error: null, info: null }); }, [id, job, task, stream]);
  useEffect(() => {
    let live = true;
    let timer = null;
    const read = async () => {
      const f = follow.current;
      const query = new URLSearchParams();
      if (task) query.set('task', task);
      if (stream === 'stderr') query.set('err', '1');
      if (f.offset !== null) query.set('offset', f.offset);
      else query.set('lines', '500');
      try {
        const got = await api(`/runs/${enc(id)}/jobs/${enc(job)}/logs?${query}`);
        if (!live) return;
        const single = got.paths.length === 1;
        f.offset = single ? got.offset : null;
        f.ended = got.ended;
        setLog((l) => ({ text: (single && query.has('offset') ? l.text : '') + got.text, error: null, info: got }));
        // While the job runs, the log is followed.
        if (!got.ended) timer = setTimeout(read, 2000);
      } catch (error) {
        if (live) setLog((l) => ({ ...l, error }));
      }
    };
    read();
    return () => { live = false; clearTimeout(timer); };
  }, [id, job, task, stream, version]);
  const info = log.info;
  const shown = stream === 'stderr' ? 'stderr' : 'stdout';
  return html`
    <h1>Log of ${job}${task ? ` [task ${task}]` : ''}${shown === 'stderr' ? ' (stderr)' : ''}</h1>
    <p><${Link} href=${runHref(id)}>Back to the run</${Link}>
      ${info && html` · <${State} state=${info.state || 'UNKNOWN'} /> ${info.ended ? '' : ' · following'}`}</p>
    ${info && (info.separate_stderr || shown === 'stderr') && html`
      <nav class="streams" aria-label="Output stream">
        ${['stdout', 'stderr'].map((s) => html`<${Link} href=${logsHref(id, job, task, s)}
          aria-current=${s === shown ? 'page' : undefined}>${s}</${Link}>`)}
      </nav>`}
    <${ErrorNote} error=${log.error} />
    ${info && info.wandb && html`<p>W&B run: <a class="wandb" href=${info.wandb} rel="noopener noreferrer" target="_blank">${info.wandb}</a></p>`}
    ${info && info.note && html`<p class="note">${info.note}</p>`}
    ${info && !info.exists && html`<p class="note">No log yet at ${info.paths.join(', ')}: the job has not started, or writes elsewhere.</p>`}
    ${info && html`<p class="paths">${info.paths.join(', ')}</p>`}
    <${LogText} text=${log.text} />`;
}

// ---- Launch: an existing job again, changed --------------------------------------------------

function fieldText(field) {
  if (field.kind === 'list') return (field.value || []).join(' ');
  if (field.value === null) return '';
  return String(field.value);
}

function LaunchPage({ id, job }) {
  const { data: form, error } = useApi(`/runs/${enc(id)}/jobs/${enc(job)}/launch`);
  const { data: machines } = useApi('/machines');
  const [values, setValues] = useState({});
  const [slurm, setSlurm] = useState({});
  const [machine, setMachine] = useState(null);
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  if (error && !form) return html`<h1>Launch ${job} again</h1><${ErrorNote} error=${error} />`;
  if (!form) return html`<h1>Launch ${job} again</h1><p>Loading…</p>`;
  const target = machine || form.machine;
  const card = (machines || []).find((m) => m.name === target);
  // Offered: the machine's live partitions and GPU types, within what its config allows.
  const allowed = (form.allowed || {})[target] || {};
  const within = (live, list) => !list ? live : live.length ? live.filter((x) => list.includes(x)) : list;
  const partitions = within([...new Set((card?.resources || []).map((r) => r.partition))], allowed.partitions);
  const gpuTypes = within([...new Set((card?.resources || []).filter((r) => r.gpu_type).map((r) => r.gpu_type))],
    allowed.gpu_types);
  const limits = { partition: allowed.partitions, gres: allowed.gpu_types };
  const errorFor = (field) => result && result.field === field ? result.error : null;
  const fieldId = (field) => 'field-' + field.replace(/[^A-Za-z0-9_-]/g, '_');

  const submit = async (event) => {
    event.preventDefault();
    const args = {};
    for (const field of form.args) {
      if (!(field.key in values)) continue;
      const text = values[field.key];
      if (field.kind === 'boolean') args[field.key] = text;
      else if (field.kind === 'list') args[field.key] = text.split(/\s+/).filter((w) => w);
      else args[field.key] = text;
    }
    setBusy(true);
    setResult(null);
    try {
      const got = await api('/launch', { method: 'POST', body: { run: id, job, machine: target, args, slurm } });
      setResult({ ok: true, ...got });
    } catch (e) {
      setResult({ error: e.message, field: (e.body && e.body.field) || '' });
    } finally {
      setBusy(false);
    }
  };

  const argInput = (field) => {
    const idv = fieldId('args.' + field.key);
    const err = errorFor('args.' + field.key);
    const described = [field.editable ? null : idv + '-why', err ? idv + '-error' : null].filter(Boolean).join(' ') || undefined;
    const common = { id: idv, name: field.key, 'aria-describedby': described, 'aria-invalid': err ? 'true' : undefined };
    let input;
    if (field.kind === 'boolean') {
      const checked = field.key in values ? values[field.key] : field.value;
      input = html`<input type="checkbox" ...${common} checked=${checked} disabled=${!field.editable}
        onChange=${(e) => setValues({ ...values, [field.key]: e.target.checked })} />`;
    } else {
      const value = field.key in values ? values[field.key] : fieldText(field);
      input = html`<input type="text" ...${common} value=${value} readonly=${!field.editable}
        inputmode=${field.kind === 'number' ? 'decimal' : undefined}
        onInput=${(e) => setValues({ ...values, [field.key]: e.target.value })} />`;
    }
    return html`<div class="field" key=${field.key}>
      <label for=${idv}>${field.key}</label> ${input}
      <span class="kind">${field.kind === 'list' ? 'list, words apart by spaces' : field.kind}</span>
      ${!field.editable && html`<p class="note" id=${idv + '-why'}>Read-only: ${field.why}</p>`}
      ${err && html`<p class="error" id=${idv + '-error'} role="alert">${err}</p>`}
    </div>`;
  };

  const slurmInput = (key) => {
    const idv = fieldId('slurm.' + key);
    const err = errorFor('slurm.' + key);
    const value = key in slurm ? slurm[key] : form.slurm[key];
    const list = key === 'partition' ? 'partitions' : key === 'gres' ? 'gres-offers' : undefined;
    const limit = limits[key];
    const described = [limit ? idv + '-allowed' : null, err ? idv + '-error' : null].filter(Boolean).join(' ') || undefined;
    return html`<div class="field" key=${key}>
      <label for=${idv}>${key}</label>
      <input type="text" id=${idv} value=${value} list=${list} aria-describedby=${described}
        aria-invalid=${err ? 'true' : undefined} onInput=${(e) => setSlurm({ ...slurm, [key]: e.target.value })} />
      ${limit && html`<span class="kind" id=${idv + '-allowed'}>${key === 'gres' ? 'GPU types allowed' : 'allowed'} on ${target}: ${limit.join(', ')}</span>`}
      ${err && html`<p class="error" id=${idv + '-error'} role="alert">${err}</p>`}
    </div>`;
  };

  return html`
    <h1>Launch ${job} again</h1>
    <p><${Link} href=${runHref(id)}>Back to the run</${Link}> · application <code>${form.script}</code>. The changed
      arguments are checked by <code>${form.script}-cli</code> before anything is written; the job goes alone into a new bundle.</p>
    ${!form.launchable && html`<p class="error">This job cannot be launched from here: ${form.why}.</p>`}
    <form class="launch" onSubmit=${submit}>
      <fieldset><legend>Application arguments</legend>${form.args.map(argInput)}</fieldset>
      <fieldset><legend>SLURM request</legend>
        ${['partition', 'gres', 'time', 'mem', 'cpus_per_task'].map(slurmInput)}
        <datalist id="partitions">${partitions.map((p) => html`<option value=${p} />`)}</datalist>
        <datalist id="gres-offers">${gpuTypes.flatMap((t) => [1, 2].map((n) => html`<option value=${`gpu:${t}:${n}`} />`))}</datalist>
      </fieldset>
      <fieldset><legend>Machine</legend>
        <label for="field-machine">machine</label>
        <select id="field-machine" value=${target} onChange=${(e) => setMachine(e.target.value)}>
          ${form.machines.map((m) => html`<option value=${m}>${m}</option>`)}
        </select>
        ${errorFor('machine') && html`<p class="error" role="alert">${errorFor('machine')}</p>`}
      </fieldset>
      ${result && result.error && !result.field && html`<p class="error" role="alert">${result.error}</p>`}
      <p><button type="submit" disabled=${busy || !form.launchable}>Launch</button></p>
    </form>
    ${result && result.ok && html`<p role="status" class="note">Submitted as job ${result.job_id}:
      <${Link} href=${runHref(result.run)}>${result.run}</${Link}></p>`}`;
}

// ---- Machines -------------------------------------------------------------------------------

function MachineCard({ card }) {
  const [test, setTest] = useState(null);
  const run = async () => {
    setTest({ text: 'Testing…' });
    try {
      const got = await api(`/machines/${enc(card.name)}/test`, { method: 'POST', body: {} });
      setTest(got.ok ? { text: `Reached ${got.where}${got.via ? ' over ' + got.via : ''}: ${got.how}${got.host_key ? '; host key ' + got.host_key : ''}` }
                     : { error: got.error || 'the test command failed' });
    } catch (error) {
      setTest({ error: error.message });
    }
  };
  const gpuRows = card.resources || [];
  return html`
    <section class="card" aria-labelledby=${'machine-' + card.name}>
      <h2 id=${'machine-' + card.name}>${card.name} <small class=${card.state === 'connected' ? 'state state-ok' : 'state state-bad'}>${card.state}</small></h2>
      ${card.error && html`<p class="error">${card.error}</p>`}
      ${card.where && html`<p>Reached: ${card.where}${card.via ? ` over ${card.via}` : ''}. Polled ${when(card.polled)}.</p>`}
      <p><button type="button" onClick=${run}>Test connection</button>
        ${test && html` <span role="status" class=${test.error ? 'error' : 'note'}>${test.error || test.text}</span>`}</p>
      ${gpuRows.length > 0 && html`
        <table class="resources">
          <thead><tr><th scope="col">Partition</th><th scope="col">GPU type</th><th scope="col">GPUs free / total</th>
            <th scope="col">CPUs free / total</th><th scope="col">Nodes with free GPUs</th><th scope="col">Pending GPU jobs</th></tr></thead>
          <tbody>${gpuRows.map((r) => html`
            <tr><th scope="row">${r.partition}</th><td>${r.gpu_type || (r.gpus_total ? 'gpu' : '–')}</td>
              <td class="gpus">${r.gpus_free} / ${r.gpus_total}</td><td>${r.cpus_free} / ${r.cpus_total}</td>
              <td>${r.nodes_with_free_gpus.join(', ')}</td><td>${r.pending_gpu_jobs}</td></tr>`)}</tbody>
        </table>`}
    </section>`;
}

function MachinesPage() {
  const { data, error } = useApi('/machines');
  return html`<h1>Machines</h1><${ErrorNote} error=${error} />
    ${(data || []).map((card) => html`<${MachineCard} key=${card.name} card=${card} />`)}`;
}

// ---- Projects -------------------------------------------------------------------------------

function ProjectsPage() {
  const { data, error } = useApi('/projects');
  const projects = data || [];
  return html`<h1>Projects</h1><${ErrorNote} error=${error} />
    ${data && !projects.length && html`<p>No application with a git repository has run yet.</p>`}
    ${projects.length > 0 && html`
    <table>
      <thead><tr><th scope="col">Application</th><th scope="col">Repository</th><th scope="col">Branch</th>
        <th scope="col">Newest commit</th><th scope="col">Dirty</th><th scope="col">Bundles</th><th scope="col">Runs</th>
        <th scope="col">Success</th></tr></thead>
      <tbody>${projects.map((p) => html`
        <tr><th scope="row">${p.script}</th><td>${p.git.git_remote || ''}</td><td>${p.git.git_branch || ''}</td>
          <td>${p.git.git_commit || ''}</td><td>${p.git.git_dirty === undefined ? '' : p.git.git_dirty ? 'yes' : 'no'}</td>
          <td>${p.bundles.join(', ')}</td><td>${p.runs}</td>
          <td>${p.jobs_ended ? `${Math.round(100 * p.success_rate)}% of ${p.jobs_ended} jobs` : '–'}</td></tr>`)}</tbody>
    </table>`}`;
}

// ---- The frame ------------------------------------------------------------------------------

function route(where) {
  const path = where.split('?')[0];
  const query = new URLSearchParams(where.split('?')[1] || '');
  let m;
  if ((m = path.match(/^\/runs\/([^/]+)\/jobs\/([^/]+)\/logs$/)))
    return html`<${LogsPage} id=${decodeURIComponent(m[1])} job=${decodeURIComponent(m[2])} task=${query.get('task') || ''}
      stream=${query.get('stream') === 'stderr' ? 'stderr' : 'stdout'} />`;
  if ((m = path.match(/^\/runs\/([^/]+)\/jobs\/([^/]+)\/launch$/)))
    return html`<${LaunchPage} id=${decodeURIComponent(m[1])} job=${decodeURIComponent(m[2])} />`;
  if ((m = path.match(/^\/runs\/([^/]+)$/))) return html`<${RunPage} id=${decodeURIComponent(m[1])} />`;
  if (path === '/machines') return html`<${MachinesPage} />`;
  if (path === '/projects') return html`<${ProjectsPage} />`;
  return html`<${RunsPage} />`;
}

function App() {
  const where = useLocation();
  const version = useVersion();
  const section = where.startsWith('/machines') ? 'machines' : where.startsWith('/projects') ? 'projects' : 'runs';
  useEffect(() => { document.title = `milex · ${section}`; }, [section]);
  return html`
    <header>
      <nav aria-label="Pages">
        <span class="brand">milex</span>
        <${Link} href="/runs" aria-current=${section === 'runs' ? 'page' : undefined}>Runs</${Link}>
        <${Link} href="/machines" aria-current=${section === 'machines' ? 'page' : undefined}>Machines</${Link}>
        <${Link} href="/projects" aria-current=${section === 'projects' ? 'page' : undefined}>Projects</${Link}>
      </nav>
      <p class="live" aria-live="polite">${version ? 'Live updates on' : 'Connecting…'}</p>
    </header>
    <main>${route(where)}</main>`;
}

openEvents();
render(html`<${App} />`, document.getElementById('app'));
