// rua-web's pages: each fetches the JSON API with the session cookie and
// builds its tables with DOM calls. Every text from the API is inserted with
// textContent (never innerHTML): a reporter's text cannot become markup.
// No inline script or style anywhere (the CSP forbids both).
'use strict';

const params = new URLSearchParams(location.search);

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function show(value) {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

async function api(path) {
  const res = await fetch(path, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
  if (res.status === 401) {
    location.assign('/login');
    throw new Error('not logged in');
  }
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new Error((body && body.error) || ('HTTP ' + res.status));
  return body;
}

function fail(error) {
  const box = document.getElementById('error');
  if (box) {
    box.textContent = String(error.message || error);
    box.classList.remove('hidden');
  }
}

function link(href, text) {
  return el('a', {href: href}, text);
}

function enc(v) { return encodeURIComponent(v); }

// A table: columns [{key, label, num, href(row), cls(row)}]; id for tests.
function table(parent, id, rows, columns) {
  const wrap = el('div', {class: 'scroll'});
  const t = el('table', {id: id});
  const head = el('tr');
  for (const c of columns) head.appendChild(el('th', {class: c.num ? 'num' : null}, c.label || c.key));
  t.appendChild(el('thead')).appendChild(head);
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    for (const c of columns) {
      const td = el('td', {'data-col': c.key,
                           class: [c.num ? 'num' : '', c.wrap ? 'wrap' : '', c.cls ? c.cls(row) : ''].join(' ').trim() || null});
      if (c.render) {
        td.appendChild(c.render(row));
      } else if (c.href) {
        td.appendChild(link(c.href(row), show(row[c.key])));
      } else {
        td.textContent = show(row[c.key]);
      }
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  t.appendChild(body);
  wrap.appendChild(t);
  parent.appendChild(wrap);
  if (rows.length === 0) parent.appendChild(el('p', {class: 'muted'}, 'Nothing in this period.'));
  return t;
}

function downloads(parent, url) {
  const sep = url.includes('?') ? '&' : '?';
  const p = el('p', {class: 'downloads'});
  p.appendChild(link(url + sep + 'format=csv', 'CSV'));
  p.appendChild(link(url, 'JSON'));
  parent.appendChild(p);
}

function section(title) {
  const s = el('section');
  s.appendChild(el('h2', {}, title));
  document.getElementById('content').appendChild(s);
  return s;
}

// A sparkline as SVG (no canvas: a thousand of them stay cheap).
function sparkline(values) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 100 20');
  svg.setAttribute('preserveAspectRatio', 'none');
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? 100 / (values.length - 1) : 100;
  const points = values.map((v, i) => (i * step).toFixed(1) + ',' + (19 - (v / max) * 18).toFixed(1));
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points.join(' '));
  svg.appendChild(line);
  const title = document.createElementNS(ns, 'title');
  title.textContent = values.join(' ');
  svg.appendChild(title);
  return svg;
}

function pager(parent, data, onPage) {
  const p = el('div', {class: 'pager'});
  const prev = el('button', {type: 'button', id: 'prev'}, 'Previous');
  const next = el('button', {type: 'button', id: 'next'}, 'Next');
  prev.disabled = data.offset <= 0;
  next.disabled = data.offset + data.items.length >= data.total;
  prev.addEventListener('click', () => onPage(Math.max(0, data.offset - data.limit)));
  next.addEventListener('click', () => onPage(data.offset + data.limit));
  const last = data.offset + data.items.length;
  p.append(prev, el('span', {id: 'range'}, (data.items.length ? data.offset + 1 : 0) + '-' + last + ' of ' + data.total), next);
  parent.appendChild(p);
}

function since() {
  const v = params.get('since') || '30d';
  return /^[0-9]+d$/.test(v) ? v : '30d';
}

function sinceControl(parent) {
  const label = el('label', {}, 'Period ');
  const select = el('select', {id: 'since'});
  for (const d of ['7d', '30d', '90d', '365d']) {
    const o = el('option', {value: d}, d.replace('d', ' days'));
    if (d === since()) o.selected = true;
    select.appendChild(o);
  }
  select.addEventListener('change', () => {
    params.set('since', select.value);
    location.search = params.toString();
  });
  label.appendChild(select);
  parent.appendChild(label);
}

function color(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function chart(parent, id, config) {
  if (typeof Chart === 'undefined') return;
  const box = el('div', {class: 'chart'});
  const canvas = el('canvas', {id: id});
  box.appendChild(canvas);
  parent.appendChild(box);
  Chart.defaults.color = color('--muted');
  Chart.defaults.borderColor = color('--line');
  config.options = Object.assign({responsive: true, maintainAspectRatio: false, animation: false}, config.options || {});
  return new Chart(canvas, config);
}

function domainNav(domain) {
  const nav = document.getElementById('domain-nav');
  if (!nav) return;
  const d = enc(domain);
  for (const [page, text] of [['domain', 'Overview'], ['sources', 'Sources'], ['reports', 'Reports'],
                              ['tls', 'TLS'], ['failures', 'Failure reports']]) {
    nav.appendChild(link('/' + page + '?d=' + d + '&since=' + since(), text));
  }
  nav.classList.remove('hidden');
}

function title(text) {
  document.getElementById('title').textContent = text;
  document.title = text + ' - rua-web';
}

// ---- pages ----

const pages = {};

pages.login = async () => {
  if (params.get('failed')) document.getElementById('error').classList.remove('hidden');
};

pages.domains = async () => {
  const content = document.getElementById('content');
  const controls = el('div', {class: 'controls'});
  const search = el('input', {type: 'search', id: 'q', placeholder: 'filter domains', value: params.get('q') || ''});
  controls.appendChild(search);
  content.appendChild(controls);
  const list = el('div');
  content.appendChild(list);
  const load = async (offset) => {
    const q = search.value.trim();
    const url = '/api/v1/domains?limit=50&offset=' + offset + (q ? '&q=' + enc(q) : '');
    const data = await api(url);
    list.replaceChildren();
    table(list, 'domains', data.items, [
      {key: 'domain', label: 'Domain', href: r => '/domain?d=' + enc(r.domain)},
      {key: 'messages', label: 'Messages (30 d)', num: true},
      {key: 'compliance_pct', label: 'DMARC compliance %', num: true},
      {key: 'sparkline', label: '30 days', render: r => sparkline(r.sparkline || [])},
      {key: 'last_report', label: 'Last report'},
      {key: 'p', label: 'p'}, {key: 'sp', label: 'sp'}, {key: 'pct', label: 'pct', num: true},
    ]);
    pager(list, data, o => load(o).catch(fail));
    downloads(list, url);
  };
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(0).catch(fail), 250);
  });
  await load(0);
};

// The readiness line (the one `ruactl summary` prints) and its checks.
async function readinessSection(domain) {
  const url = '/api/v1/domains/' + enc(domain) + '/readiness?since=' + since();
  const data = await api(url);
  const s = section('Readiness');
  for (const r of data.readiness) {
    s.appendChild(el('p', {class: 'readiness ' + (r.ready ? 'pass' : 'fail'), id: 'readiness-line'}, r.line));
  }
  table(s, 'checks', data.checks, [{key: 'check'}, {key: 'value'}, {key: 'want'},
    {key: 'ok', render: r => el('span', {class: r.ok ? 'pass' : 'fail'}, r.ok ? 'yes' : 'no')}]);
  downloads(s, url + '&table=checks');
}

const breakdownKinds = [['source', 'source'], ['provider', 'provider'], ['reporter', 'reporter'],
  ['dkim-domain', 'DKIM domain'], ['spf-domain', 'SPF domain'], ['header-from', 'header From'], ['day', 'day']];

// Messages grouped by= one of breakdownKinds, from /breakdown.
async function breakdownSection(domain) {
  const s = section('Breakdown');
  const controls = el('form', {class: 'controls', id: 'breakdown-controls'});
  const by = el('select', {id: 'by'});
  const wanted = params.get('by') || 'source';
  for (const [value, text] of breakdownKinds) {
    const o = el('option', {value: value}, 'by ' + text);
    if (value === wanted) o.selected = true;
    by.appendChild(o);
  }
  const failing = el('input', {type: 'checkbox', id: 'breakdown-failing'});
  failing.checked = params.get('failing') === '1';
  const fl = el('label', {}, 'failing only ');
  fl.appendChild(failing);
  const rollup = el('input', {type: 'checkbox', id: 'breakdown-rollup'});
  rollup.checked = params.get('rollup') === '1';
  const rl = el('label', {}, 'roll up subdomains ');
  rl.appendChild(rollup);
  controls.append(by, fl, rl);
  s.appendChild(controls);
  const out = el('div', {id: 'breakdown-out'});
  s.appendChild(out);
  const load = async () => {
    const q = new URLSearchParams({by: by.value, since: since(), top: '20'});
    if (failing.checked) q.set('failing', '1');
    if (rollup.checked) q.set('rollup', '1');
    const url = '/api/v1/domains/' + enc(domain) + '/breakdown?' + q.toString();
    const data = await api(url);
    out.replaceChildren();
    const key = by.value === 'source' ? 'source_ip' : by.value.replace('-', '_');
    table(out, 'breakdown', data.breakdown, [{key: key, label: key.replace('_', ' ')},
      {key: 'messages', num: true}, {key: 'pass', num: true, cls: () => 'pass'}, {key: 'fail', num: true, cls: () => 'fail'},
      {key: 'compliance_pct', label: 'compliance %', num: true}, {key: 'share_pct', label: 'share %', num: true}]);
    const t = data.totals[0];
    out.appendChild(el('p', {id: 'breakdown-total', class: 'muted'},
      'top ' + data.breakdown.length + ' of ' + data.breakdown_total + '; total ' + t.messages + ' messages, ' +
      t.pass + ' pass, ' + t.fail + ' fail' + (t.compliance_pct === null ? '' : ', ' + t.compliance_pct + ' % compliant')));
    downloads(out, url);
  };
  const reload = () => {
    params.set('by', by.value);
    if (failing.checked) params.set('failing', '1'); else params.delete('failing');
    if (rollup.checked) params.set('rollup', '1'); else params.delete('rollup');
    history.replaceState(null, '', '?' + params.toString());
    load().catch(fail);
  };
  for (const input of [by, failing, rollup]) input.addEventListener('change', reload);
  controls.addEventListener('submit', (e) => { e.preventDefault(); reload(); });
  await load();
}

pages.domain = async () => {
  const domain = params.get('d') || '';
  title(domain);
  domainNav(domain);
  const content = document.getElementById('content');
  const controls = el('div', {class: 'controls'});
  sinceControl(controls);
  content.appendChild(controls);
  await readinessSection(domain);
  const url = '/api/v1/domains/' + enc(domain) + '/overview?since=' + since();
  const data = await api(url);
  const charts = el('div', {class: 'charts'});
  content.appendChild(charts);
  chart(charts, 'chart-daily', {
    type: 'bar',
    data: {
      labels: data.daily.map(r => r.day),
      datasets: [
        {label: 'pass', data: data.daily.map(r => r.pass), backgroundColor: color('--pass'), stack: 'm'},
        {label: 'fail', data: data.daily.map(r => r.fail), backgroundColor: color('--fail'), stack: 'm'},
        {label: 'compliance %', type: 'line', data: data.daily.map(r => r.compliance_pct),
         borderColor: color('--accent'), yAxisID: 'pct', pointRadius: 0},
      ],
    },
    options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true},
                       pct: {position: 'right', min: 0, max: 100, grid: {drawOnChartArea: false}}}},
  });
  chart(charts, 'chart-disposition', {
    type: 'doughnut',
    data: {labels: data.disposition.map(r => r.disposition || '(none)'),
           datasets: [{data: data.disposition.map(r => r.messages),
                       backgroundColor: [color('--pass'), color('--fail'), color('--accent'), color('--muted')]}]},
  });
  const csv = (name) => url + '&table=' + name;
  let s = section('Daily messages');
  table(s, 'daily', data.daily, [{key: 'day', label: 'Day'}, {key: 'messages', label: 'Messages', num: true},
    {key: 'pass', label: 'Pass', num: true, cls: () => 'pass'}, {key: 'fail', label: 'Fail', num: true, cls: () => 'fail'},
    {key: 'compliance_pct', label: 'Compliance %', num: true}]);
  downloads(s, csv('daily'));
  s = section('Disposition');
  table(s, 'disposition', data.disposition, [{key: 'disposition', label: 'Disposition'}, {key: 'messages', label: 'Messages', num: true}]);
  downloads(s, csv('disposition'));
  s = section('Published policy over time');
  table(s, 'policy_changes', data.policy_changes, ['day', 'p', 'sp', 'pct', 'adkim', 'aspf', 'reporter'].map(k => ({key: k})));
  downloads(s, csv('policy_changes'));
  s = section('Top reporters');
  table(s, 'top_reporters', data.top_reporters, [
    {key: 'reporter', label: 'Reporter', href: r => '/sources?d=' + enc(domain) + '&since=' + since() + '&reporter=' + enc(r.reporter || '')},
    {key: 'messages', num: true}, {key: 'pass', num: true}, {key: 'fail', num: true}, {key: 'compliance_pct', label: 'compliance %', num: true}]);
  downloads(s, csv('top_reporters'));
  s = section('Top sources');
  table(s, 'top_sources', data.top_sources, [
    {key: 'source_ip', label: 'Source', href: r => '/source?d=' + enc(domain) + '&ip=' + enc(r.source_ip) + '&since=' + since()},
    {key: 'messages', num: true}, {key: 'pass', num: true}, {key: 'fail', num: true}, {key: 'compliance_pct', label: 'compliance %', num: true}]);
  downloads(s, csv('top_sources'));
  s = section('DKIM and SPF by domain and selector');
  table(s, 'auth', data.auth, [{key: 'method'}, {key: 'auth_domain', label: 'domain'}, {key: 'selector'},
    {key: 'result'}, {key: 'aligned'}, {key: 'messages', num: true}]);
  downloads(s, csv('auth'));
  await breakdownSection(domain);
};

pages.sources = async () => {
  const domain = params.get('d') || '';
  title('Sources of ' + domain);
  domainNav(domain);
  const content = document.getElementById('content');
  const controls = el('form', {class: 'controls', id: 'filters'});
  sinceControl(controls);
  const failing = el('input', {type: 'checkbox', id: 'failing'});
  failing.checked = params.get('failing') === '1';
  const fl = el('label', {}, 'failing only ');
  fl.appendChild(failing);
  controls.appendChild(fl);
  const fields = {};
  for (const [name, text] of [['reporter', 'reporter'], ['dkim_domain', 'DKIM domain'], ['spf_domain', 'SPF domain']]) {
    fields[name] = el('input', {type: 'text', id: name, placeholder: text, value: params.get(name) || ''});
    controls.appendChild(fields[name]);
  }
  const sort = el('select', {id: 'sort'});
  for (const k of ['messages', 'failing', 'compliance', 'source_ip']) {
    const o = el('option', {value: k}, 'sort: ' + k);
    if (k === (params.get('sort') || 'messages')) o.selected = true;
    sort.appendChild(o);
  }
  controls.appendChild(sort);
  controls.appendChild(el('button', {type: 'submit'}, 'Apply'));
  controls.addEventListener('submit', (e) => {
    e.preventDefault();
    params.set('failing', failing.checked ? '1' : '0');
    for (const [name, input] of Object.entries(fields)) {
      if (input.value.trim()) params.set(name, input.value.trim()); else params.delete(name);
    }
    params.set('sort', sort.value);
    location.search = params.toString();
  });
  content.appendChild(controls);
  const list = el('div');
  content.appendChild(list);
  const load = async (offset) => {
    const q = new URLSearchParams({since: since(), limit: '50', offset: String(offset), sort: params.get('sort') || 'messages'});
    if (params.get('failing') === '1') q.set('failing', '1');
    for (const name of ['reporter', 'dkim_domain', 'spf_domain']) if (params.get(name)) q.set(name, params.get(name));
    const url = '/api/v1/domains/' + enc(domain) + '/sources?' + q.toString();
    const data = await api(url);
    list.replaceChildren();
    table(list, 'sources', data.items, [
      {key: 'source_ip', label: 'Source', href: r => '/source?d=' + enc(domain) + '&ip=' + enc(r.source_ip) + '&since=' + since()},
      {key: 'messages', num: true}, {key: 'pass', num: true}, {key: 'fail', num: true},
      {key: 'compliance_pct', label: 'compliance %', num: true}, {key: 'reporters', num: true},
      {key: 'first_day', label: 'first'}, {key: 'last_day', label: 'last'}]);
    pager(list, data, o => load(o).catch(fail));
    downloads(list, url);
  };
  await load(0);
};

pages.source = async () => {
  const domain = params.get('d') || '';
  const ip = params.get('ip') || '';
  title(ip + ' sending as ' + domain);
  domainNav(domain);
  const content = document.getElementById('content');
  const controls = el('div', {class: 'controls'});
  sinceControl(controls);
  content.appendChild(controls);
  const url = '/api/v1/domains/' + enc(domain) + '/sources/' + enc(ip) + '?since=' + since();
  const data = await api(url);
  let s = section('Daily');
  table(s, 'daily', data.daily, [{key: 'day'}, {key: 'messages', num: true}, {key: 'pass', num: true}, {key: 'fail', num: true}]);
  downloads(s, url + '&table=daily');
  s = section('By reporter, header From and result');
  table(s, 'breakdown', data.breakdown, ['reporter', 'header_from', 'disposition', 'dkim', 'spf', 'dmarc_pass'].map(k => ({key: k}))
    .concat([{key: 'messages', num: true}]));
  downloads(s, url + '&table=breakdown');
};

pages.reports = async () => {
  const domain = params.get('d') || '';
  title('Reports for ' + domain);
  domainNav(domain);
  const content = document.getElementById('content');
  const controls = el('div', {class: 'controls'});
  sinceControl(controls);
  content.appendChild(controls);
  const list = el('div');
  content.appendChild(list);
  const load = async (offset) => {
    const url = '/api/v1/domains/' + enc(domain) + '/reports?since=' + since() + '&limit=50&offset=' + offset;
    const data = await api(url);
    list.replaceChildren();
    table(list, 'reports', data.items, [
      {key: 'id', href: r => '/report?id=' + r.id}, {key: 'reporter'}, {key: 'report_id', label: 'report id'},
      {key: 'date_begin', label: 'begin'}, {key: 'date_end', label: 'end'},
      {key: 'record_count', label: 'records', num: true}, {key: 'message_count', label: 'messages', num: true},
      {key: 'p'}, {key: 'authenticity'}, {key: 'received_at', label: 'received'}]);
    pager(list, data, o => load(o).catch(fail));
    downloads(list, url);
  };
  await load(0);
};

pages.report = async () => {
  const id = params.get('id') || '';
  const content = document.getElementById('content');
  const list = el('div');
  const load = async (offset) => {
    const url = '/api/v1/reports/' + enc(id) + '?limit=200&offset=' + offset;
    const data = await api(url);
    const report = data.report[0];
    title('Report ' + report.report_id + ' from ' + report.reporter);
    domainNav(report.domain);
    content.replaceChildren();
    let s = section('Report');
    const rows = Object.entries(report).map(([k, v]) => ({field: k, value: v}));
    table(s, 'report', rows, [{key: 'field'}, {key: 'value', wrap: true}]);
    if (report.has_raw) {
      const p = el('p');
      p.appendChild(link('/api/v1/reports/' + enc(id) + '/raw', 'Download the attachment as received'));
      s.appendChild(p);
    }
    s = section('Records');
    table(s, 'records', data.records, ['ordinal', 'source_ip', 'count', 'disposition', 'dkim', 'spf', 'dmarc_pass',
      'header_from', 'envelope_from', 'envelope_to', 'reasons', 'auth_dkim', 'auth_spf']
      .map(k => ({key: k, num: k === 'count' || k === 'ordinal', wrap: k.startsWith('auth') || k === 'reasons'})));
    pager(s, {offset: offset, limit: 200, items: data.records, total: data.records_total}, o => load(o).catch(fail));
    downloads(s, url + '&table=records');
  };
  content.appendChild(list);
  await load(0);
};

pages.tls = async () => {
  const domain = params.get('d') || '';
  title('SMTP TLS for ' + domain);
  domainNav(domain);
  const content = document.getElementById('content');
  const controls = el('div', {class: 'controls'});
  sinceControl(controls);
  content.appendChild(controls);
  const url = '/api/v1/domains/' + enc(domain) + '/tls?since=' + since();
  const data = await api(url);
  const charts = el('div', {class: 'charts'});
  content.appendChild(charts);
  chart(charts, 'chart-tls', {
    type: 'bar',
    data: {labels: data.daily.map(r => r.day), datasets: [
      {label: 'successful', data: data.daily.map(r => r.successful), backgroundColor: color('--pass'), stack: 's'},
      {label: 'failed', data: data.daily.map(r => r.failed), backgroundColor: color('--fail'), stack: 's'}]},
    options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}}},
  });
  let s = section('Sessions per day');
  table(s, 'daily', data.daily, [{key: 'day'}, {key: 'successful', num: true}, {key: 'failed', num: true}]);
  downloads(s, url + '&table=daily');
  s = section('Failures by result type and receiving MX');
  table(s, 'failures', data.failures, [{key: 'result_type', label: 'result type'}, {key: 'receiving_mx', label: 'receiving MX'},
    {key: 'sessions', num: true}, {key: 'reports', num: true}]);
  downloads(s, url + '&table=failures');
};

pages.failures = async () => {
  const domain = params.get('d') || '';
  title('Failure reports about ' + domain);
  domainNav(domain);
  const content = document.getElementById('content');
  const controls = el('div', {class: 'controls'});
  sinceControl(controls);
  content.appendChild(controls);
  const list = el('div');
  content.appendChild(list);
  const load = async (offset) => {
    const url = '/api/v1/domains/' + enc(domain) + '/failures?since=' + since() + '&limit=50&offset=' + offset;
    const data = await api(url);
    list.replaceChildren();
    table(list, 'failures', data.items, [{key: 'id', href: r => '/failure?id=' + r.id}, {key: 'arrived'},
      {key: 'source_ip', label: 'source'}, {key: 'auth_failure', label: 'auth failure'}, {key: 'delivery_result', label: 'delivery'},
      {key: 'dkim_domain', label: 'DKIM domain'}, {key: 'from_domain', label: 'From domain'}, {key: 'reporting_mta', label: 'reporting MTA'}, {key: 'authenticity'}]);
    pager(list, data, o => load(o).catch(fail));
    downloads(list, url);
  };
  await load(0);
};

pages.failure = async () => {
  const id = params.get('id') || '';
  title('Failure report ' + id);
  const url = '/api/v1/failures/' + enc(id);
  const data = await api(url);
  const s = section('Report (redacted)');
  const rows = Object.entries(data.failure[0] || {}).map(([k, v]) => ({field: k, value: v}));
  table(s, 'failure', rows, [{key: 'field'}, {key: 'value', wrap: true}]);
  downloads(s, url);
};

function operatorList(name, columns) {
  return async () => {
    const content = document.getElementById('content');
    const list = el('div');
    content.appendChild(list);
    const load = async (offset) => {
      const url = '/api/v1/' + name + '?limit=50&offset=' + offset;
      const data = await api(url);
      list.replaceChildren();
      table(list, name, data.items, columns.map(k => ({key: k, num: k === 'size' || k === 'id', wrap: k === 'detail' || k === 'report_key'})));
      pager(list, data, o => load(o).catch(fail));
      downloads(list, url);
    };
    await load(0);
  };
}

pages.quarantine = operatorList('quarantine', ['id', 'received_at', 'via', 'rua', 'queue_id', 'reason', 'detail', 'size', 'resolved_at']);
pages.conflicts = operatorList('conflicts', ['id', 'kind', 'report_key', 'stored_report_id', 'fingerprint', 'received_at', 'via', 'rua', 'authenticity', 'resolution']);

// The alerts the account's rules raised (every account for an operator).
pages.alerts = async () => {
  const content = document.getElementById('content');
  sinceControl(content);
  const list = el('div');
  content.appendChild(list);
  const load = async (offset) => {
    const url = '/api/v1/alerts?since=' + since() + '&limit=50&offset=' + offset;
    const data = await api(url);
    list.replaceChildren();
    table(list, 'alerts', data.items, [
      {key: 'id', num: true}, {key: 'created_at', label: 'raised'}, {key: 'kind'},
      {key: 'domain'}, {key: 'key', wrap: true}, {key: 'delivered_at', label: 'delivered'},
      {key: 'attempts', num: true}, {key: 'last_error', label: 'error', wrap: true},
      {key: 'details', wrap: true}]);
    pager(list, data, o => load(o).catch(fail));
    downloads(list, url);
  };
  await load(0);
};

async function start() {
  const page = document.body.dataset.page;
  if (page !== 'login') {
    const who = await api('/api/v1/whoami');
    for (const node of document.querySelectorAll('.operator')) node.classList.toggle('hidden', !who.admin);
  }
  await pages[page]();
  document.body.dataset.ready = '1';
}

document.addEventListener('DOMContentLoaded', () => {
  start().catch((e) => { fail(e); document.body.dataset.ready = 'error'; });
});
