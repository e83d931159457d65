// The inspector page: JSON from /api, table data through the browser build where the table's
// files are served (/tables/<id>), and live commits from /api/events (server-sent events).
const $ = (id) => document.getElementById(id);
const state = { tables: [], current: undefined, summary: undefined, browserBuild: undefined };

const api = async (path) => {
  const res = await fetch(path);
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.error?.message ?? res.statusText), { hint: body.error?.hint });
  return body;
};
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return e;
};
const bytes = (n) => (n < 1024 ? `${n} B` : n < 2 ** 20 ? `${(n / 1024).toFixed(1)} KiB` : n < 2 ** 30 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 2 ** 30).toFixed(2)} GiB`);
const when = (ms) => (ms == null ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
const cell = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)) : String(v));
const fail = (target, err) => target.replaceChildren(el('div', { class: 'error' }, err.message, err.hint ? el('div', {}, `hint: ${err.hint}`) : ''));

function fillTable(table, headers, rows, numeric = new Set()) {
  table.replaceChildren(el('tr', {}, ...headers.map((h) => el('th', {}, h))),
    ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el('td', numeric.has(i) ? { class: 'num' } : {}, cell(c))))));
}

async function start() {
  state.tables = await api('/api/tables');
  renderNav();
  listen();
  const wanted = Number(new URLSearchParams(location.search).get('table') ?? 0);
  await select(state.tables[wanted] ? wanted : 0);
}

function renderNav() {
  $('tables').replaceChildren(...state.tables.map((t) => {
    const b = el('button', { 'data-table': String(t.id), class: t.id === state.current ? 'selected' : undefined }, t.name, el('small', {}, t.version === undefined ? t.uri : `version ${t.version}`));
    b.onclick = () => void select(t.id);
    return b;
  }));
}

async function select(id) {
  state.current = id;
  renderNav();
  $('table').hidden = false;
  await refresh();
  $('preview-form').requestSubmit();
}

/** Everything that changes with a commit. */
async function refresh() {
  const id = state.current;
  const s = await api(`/api/tables/${id}/summary`);
  if (id !== state.current) return;
  state.summary = s;
  state.tables[id].version = s.version;
  renderNav();
  $('table-name').textContent = s.tableName ?? s.name;
  $('table-uri').textContent = s.uri;
  $('version').textContent = String(s.version);
  $('last-operation').textContent = s.lastOperation ?? '';
  $('last-commit').textContent = when(s.lastCommitMs);
  $('num-files').textContent = String(s.numFiles);
  $('size').textContent = bytes(s.sizeBytes);
  $('partitioning').textContent = s.partitionColumns.length ? s.partitionColumns.join(', ') : 'not partitioned';
  fillTable($('schema'), ['column', 'type', 'nullable'], s.schema.map((f) => [f.name, f.type, f.nullable ? 'yes' : 'no']));
  fillTable($('properties'), ['property', 'value'], Object.entries(s.properties));
  const p = s.protocol;
  $('protocol').replaceChildren(
    el('div', {}, `reader version ${p.minReaderVersion}, writer version ${p.minWriterVersion}`),
    el('div', {}, ...[...(p.readerFeatures ?? []).map((f) => `reader: ${f}`), ...(p.writerFeatures ?? []).map((f) => `writer: ${f}`)].map((f) => el('span', { class: 'tag' }, f))));
  if (!$('changes-to').value || Number($('changes-to').value) > s.version) $('changes-to').value = String(s.version);
  renderColumns(s.schema);
  await Promise.all([renderHistory(id), renderFiles(id)]);
}

async function renderHistory(id, newVersion) {
  const history = await api(`/api/tables/${id}/history`);
  $('history').replaceChildren(...history.map((h) => el('li', { 'data-version': String(h.version), class: h.version === newVersion ? 'new' : undefined },
    el('span', { class: 'v' }, `v${h.version}`), el('span', { class: 'op' }, h.operation), el('span', { class: 't' }, when(h.timestamp)),
    el('div', { class: 'p' }, Object.keys(h.operationParameters ?? {}).length ? cell(h.operationParameters) : ''))));
}

async function renderFiles(id) {
  const { total, files } = await api(`/api/tables/${id}/files`);
  $('files-note').textContent = files.length < total ? `(first ${files.length} of ${total})` : `(${total})`;
  const stat = (f, k) => (f.stats?.[k] ? cell(f.stats[k]) : '');
  fillTable($('files'), ['path', 'size', 'records', 'partition', 'min', 'max', 'nulls'],
    files.map((f) => [f.path + (f.deletionVector ? '  (DV)' : ''), bytes(f.size), f.stats?.numRecords ?? '', Object.keys(f.partitionValues ?? {}).length ? cell(f.partitionValues) : '', stat(f, 'minValues'), stat(f, 'maxValues'), stat(f, 'nullCount')]),
    new Set([1, 2]));
}

function renderColumns(schema) {
  const box = $('columns');
  const names = schema.map((f) => f.name);
  if (box.dataset.names === names.join(',')) return; // keep the user's choice across commits
  box.dataset.names = names.join(',');
  box.replaceChildren(...names.map((n) => el('label', {}, (() => { const c = el('input', { type: 'checkbox', value: n }); c.checked = true; return c; })(), ' ', n)));
}

/** `a = 1 and b > 'x' or c != null` as the library's filter (DNF: OR of ANDs). */
function parseFilter(text) {
  const clauses = text.trim() === '' ? [] : text.split(/\s+or\s+/i).map((conj) => conj.split(/\s+and\s+/i).map((term) => {
    const m = /^\s*("?)([^"<>=!\s]+)\1\s*(=|!=|<>|<=|>=|<|>|not in|in)\s*(.+?)\s*$/i.exec(term);
    if (!m) throw new Error(`cannot read "${term}": write column op value, e.g. qty > 3`);
    const op = m[3].toLowerCase() === '<>' ? '!=' : m[3].toLowerCase();
    const value = (v) => (/^'.*'$/.test(v) ? v.slice(1, -1).replace(/''/g, "'") : /^null$/i.test(v) ? null : /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : Number.isFinite(Number(v)) ? Number(v) : v);
    return [m[2], op, op.endsWith('in') ? m[4].replace(/^\(|\)$/g, '').split(',').map((x) => value(x.trim())) : value(m[4])];
  }));
  return clauses.length === 0 ? undefined : clauses.length === 1 ? clauses[0] : clauses;
}

async function browserBuild() {
  state.browserBuild ??= import('/browser/deltalake.js');
  return state.browserBuild;
}

/** The first rows, read in this page by the browser build over HTTP, else by the server. */
async function preview(event) {
  event.preventDefault();
  const id = state.current;
  const s = state.summary;
  const columns = [...$('columns').querySelectorAll('input:checked')].map((c) => c.value);
  const target = $('preview');
  let filter;
  try {
    filter = parseFilter($('filter').value);
  } catch (err) {
    return fail(target, err);
  }
  try {
    let rows;
    if (s.filesUrl) {
      const { DeltaTable } = await browserBuild();
      const table = await DeltaTable.open(new URL(s.filesUrl, location.href).href, { version: s.version });
      rows = [];
      for await (const batch of table.scan({ columns, ...(filter ? { filter } : {}) })) {
        for (const r of batch.toArray()) { if (rows.length < 100) rows.push(r.toJSON()); }
        if (rows.length >= 100) break;
      }
      $('preview-source').textContent = `read in this page by deltalake-ts/browser over HTTP, version ${table.version}`;
    } else {
      const q = new URLSearchParams({ columns: columns.join(','), limit: '100', ...(filter ? { filter: JSON.stringify(filter) } : {}) });
      rows = (await api(`/api/tables/${id}/preview?${q}`)).rows;
      $('preview-source').textContent = 'read by the server';
    }
    if (id !== state.current) return;
    target.dataset.rows = String(rows.length);
    // Arrow JS gives timestamps and dates as epoch milliseconds: show them as text.
    const types = new Map(s.schema.map((f) => [f.name, f.type]));
    const shown = (c, v) => (typeof v !== 'number' ? v : /^Timestamp/.test(types.get(c)) ? new Date(v).toISOString() : /^Date/.test(types.get(c)) ? new Date(v).toISOString().slice(0, 10) : v);
    fillTable(target, columns, rows.map((r) => columns.map((c) => shown(c, r[c]))));
  } catch (err) {
    fail(target, err);
  }
}

async function changes(event) {
  event.preventDefault();
  const target = $('changes');
  try {
    const { numRows, rows } = await api(`/api/tables/${state.current}/changes?from=${$('changes-from').value}&to=${$('changes-to').value}`);
    const headers = rows.length ? Object.keys(rows[0]) : [];
    fillTable(target, headers, rows.map((r) => headers.map((h) => r[h])));
    target.prepend(el('caption', {}, `${numRows} change rows`));
  } catch (err) {
    fail(target, err);
  }
}

async function doctor() {
  const target = $('doctor');
  target.textContent = 'checking...';
  try {
    const r = await api(`/api/tables/${state.current}/doctor`);
    target.replaceChildren(el('div', { class: r.problems.length ? 'error' : 'ok' }, `version ${r.version}: ${r.filesChecked} files checked, ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`),
      ...r.problems.map((p) => el('div', { class: 'error' }, cell(p))));
  } catch (err) {
    fail(target, err);
  }
}

function listen() {
  const events = new EventSource('/api/events');
  events.onopen = () => { $('live').textContent = 'live'; $('live').className = 'live on'; };
  events.onerror = () => { $('live').textContent = 'reconnecting'; $('live').className = 'live off'; };
  events.addEventListener('commit', (e) => {
    const { table, version } = JSON.parse(e.data);
    const t = state.tables[table];
    if (!t || (t.version ?? -1) >= version) return;
    t.version = version;
    renderNav();
    if (table !== state.current) return;
    void refresh().then(() => renderHistory(table, version)).then(() => {
      $('flash').hidden = false;
      $('flash').textContent = `new commit: version ${version}`;
    });
  });
}

$('preview-form').addEventListener('submit', (e) => void preview(e));
$('changes-form').addEventListener('submit', (e) => void changes(e));
$('doctor-run').addEventListener('click', () => void doctor());
start().catch((err) => fail(document.body, err));
