// Relais KPI dashboard: plain JavaScript over GET /api/kpis and /api/experiments (session cookie).
'use strict';

const pct = new Intl.NumberFormat('fr-FR', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 });
const eur = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const num = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const NONE = '—';

const fmt = {
  pct: v => v == null ? NONE : pct.format(v),
  eur: v => v == null ? NONE : eur.format(v),
  int: v => v == null ? NONE : num.format(v),
  sec: v => v == null ? NONE : (v < 120 ? num.format(v) + ' s' : v < 7200 ? num.format(v / 60) + ' min' : num.format(v / 3600) + ' h'),
  pts: v => v == null ? NONE : num.format(v),
  ratio: v => v == null ? NONE : num.format(v) + ' ×',
};

// Each KPI: its field, its French name, its format, and whether the seed gives a benchmark.
const KPIS = [
  ['delivered', 'Délivrés', fmt.int],
  ['clickRate', 'Taux de clic', fmt.pct],
  ['orderRate', 'Taux de commande', fmt.pct],
  ['unsubscribeRate', 'Taux de désabonnement', fmt.pct],
  ['revenuePerRecipient', 'Revenu par destinataire', fmt.eur],
  ['replyRate', 'Taux de réponse', fmt.pct],
  ['responseTimeMedianSeconds', 'Délai de réponse client (médiane)', fmt.sec],
  ['responseTimeP90Seconds', 'Délai de réponse client (p90)', fmt.sec],
  ['agentFirstResponseMedianSeconds', '1re réponse agent (médiane)', fmt.sec],
  ['postReplyConversion', 'Conversion après réponse', fmt.pct],
  ['nps', 'NPS', fmt.pts],
  ['cost', 'Coût', fmt.eur],
  ['revenue', 'Revenu attribué', fmt.eur],
  ['returnOnCost', 'Retour sur coût', fmt.ratio],
];

const GROUP_LABELS = { journey: 'parcours', step: 'étape', channel: 'canal', segment: 'segment', variant: 'variante',
  day: 'jour', week: 'semaine', month: 'mois' };

const charts = [];

function query(params) {
  const q = new URLSearchParams();
  Object.entries(params).forEach(([k, v]) => { if (v) q.set(k, v); });
  return q.toString();
}

function filters() {
  const f = {};
  ['journey', 'step', 'channel', 'segment', 'variant', 'from', 'to', 'groupBy'].forEach(name => {
    f[name] = document.getElementById('filter-' + name).value.trim();
  });
  return f;
}

async function getJson(url) {
  const r = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.status === 401 || r.redirected) { window.location = '/login?next=/dashboard'; throw new Error('session'); }
  if (!r.ok) { const p = await r.json().catch(() => ({})); throw new Error(p.detail || r.statusText); }
  return r.json();
}

function groupName(row, groupBy) {
  switch (groupBy) {
    case 'journey': return row.journey ?? '(hors parcours)';
    case 'step': return (row.journey ?? '(hors parcours)') + ' · ' + (row.step ?? '(sans étape)');
    case 'channel': return row.channel ?? '(inconnu)';
    case 'segment': return row.segment;
    case 'variant': return row.variant ?? '(sans variante)';
    default: return row.period;
  }
}

function benchText(b, format) {
  if (!b) return '';
  if (b.note) return 'Repère : ' + b.note;
  return 'Moyenne : ' + format(b.average) + ' · Top 10 % : ' + format(b.top10);
}

function verdict(value, b) {
  if (value == null || !b) return '';
  const better = b.lowerIsBetter ? value <= b.average : value >= b.average;
  return better ? 'good' : 'bad';
}

function renderCards(report) {
  const box = document.getElementById('kpi-cards');
  box.innerHTML = '';
  KPIS.forEach(([key, name, format]) => {
    const b = report.benchmarks[key];
    const card = document.createElement('div');
    card.className = 'kpi ' + verdict(report.total[key], b);
    card.dataset.kpi = key;
    card.innerHTML = '<div class="name"></div><div class="value"></div><div class="bench"></div>';
    card.querySelector('.name').textContent = name;
    card.querySelector('.value').textContent = format(report.total[key]);
    card.querySelector('.bench').textContent = benchText(b, format);
    box.appendChild(card);
  });
}

function renderTable(report, groupBy) {
  const head = document.querySelector('#kpi-table thead tr');
  head.innerHTML = '';
  ['Groupe', 'Envoyés'].concat(KPIS.map(k => k[1])).forEach(t => {
    const th = document.createElement('th');
    th.textContent = t;
    head.appendChild(th);
  });
  const body = document.querySelector('#kpi-table tbody');
  body.innerHTML = '';
  const addRow = (row, label, cls) => {
    const tr = document.createElement('tr');
    if (cls) tr.className = cls;
    tr.dataset.group = label;
    const cells = [label, fmt.int(row.sent)].concat(KPIS.map(([key, , format]) => format(row[key])));
    cells.forEach((c, i) => {
      const td = document.createElement('td');
      td.textContent = c;
      if (i > 0) td.className = 'num';
      tr.appendChild(td);
    });
    body.appendChild(tr);
  };
  report.rows.forEach(row => addRow(row, groupName(row, groupBy)));
  addRow(report.total, 'Total', 'total');
  const bench = document.createElement('tr');
  bench.className = 'benchmarks';
  const labels = ['Repères (moyenne / top 10 %)', ''].concat(KPIS.map(([key, , format]) => {
    const b = report.benchmarks[key];
    return b ? (b.note || format(b.average) + ' / ' + format(b.top10)) : '';
  }));
  labels.forEach(t => { const td = document.createElement('td'); td.textContent = t; bench.appendChild(td); });
  body.appendChild(bench);
}

function chart(el) {
  if (typeof echarts === 'undefined') return null;
  const c = echarts.init(el);
  charts.push(c);
  return c;
}

function renderMainChart(report, groupBy) {
  const c = chart(document.getElementById('chart-main'));
  if (!c) return;
  const labels = report.rows.map(r => groupName(r, groupBy));
  const series = [['clickRate', 'Taux de clic'], ['replyRate', 'Taux de réponse'], ['orderRate', 'Taux de commande'],
    ['unsubscribeRate', 'Taux de désabonnement']].map(([key, name]) => ({
      name, type: ['day', 'week', 'month'].includes(groupBy) ? 'line' : 'bar',
      data: report.rows.map(r => r[key] == null ? null : +(r[key] * 100).toFixed(2)),
    }));
  const b = report.benchmarks.clickRate;
  series[0].markLine = { symbol: 'none', data: [
    { yAxis: +(b.average * 100).toFixed(2), name: 'Clic : moyenne' },
    { yAxis: +(b.top10 * 100).toFixed(2), name: 'Clic : top 10 %' }],
    label: { formatter: '{b} {c} %' } };
  c.setOption({
    tooltip: { trigger: 'axis', valueFormatter: v => v == null ? NONE : v + ' %' },
    legend: { top: 0 },
    grid: { left: 50, right: 150, bottom: 60, top: 40 },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
    series,
  });
}

async function renderFunnels(f) {
  const box = document.getElementById('funnels');
  box.innerHTML = '';
  const byJourney = await getJson('/api/kpis?' + query({ ...f, groupBy: 'journey' }));
  const journeys = byJourney.rows.filter(r => r.journey).slice(0, 8);
  if (!journeys.length) { box.textContent = 'Aucun parcours sur cette période.'; return; }
  for (const j of journeys) {
    const steps = await getJson('/api/kpis?' + query({ ...f, journey: j.journey, groupBy: 'step' }));
    const section = document.createElement('div');
    section.className = 'funnel-journey';
    section.dataset.journey = j.journey;
    const h = document.createElement('h3');
    h.textContent = j.journey;
    section.appendChild(h);
    const grid = document.createElement('div');
    grid.className = 'funnel-steps';
    section.appendChild(grid);
    box.appendChild(section);
    // Lay out every step's box first, then draw, so each chart gets its final width.
    const boxes = steps.rows.filter(s => s.sent || s.delivered).map(s => {
      const el = document.createElement('div');
      el.className = 'funnel-chart';
      el.dataset.step = s.step ?? '';
      grid.appendChild(el);
      return [s, el];
    });
    boxes.forEach(([s, el]) => {
      const c = chart(el);
      if (!c) return;
      const stages = [['Envoyés', s.sent], ['Délivrés', s.delivered], ['Cliqués', s.clickers], ['Réponses', s.repliers], ['Commandes', s.orders]];
      c.setOption({
        title: { text: s.step ?? '(sans étape)', left: 'center', textStyle: { fontSize: 13 } },
        tooltip: { trigger: 'item', formatter: p => p.name + ' : ' + num.format(p.value) },
        series: [{ type: 'funnel', top: 30, bottom: 5, left: '5%', width: '60%', sort: 'none', minSize: '8%',
          label: { position: 'right', formatter: p => p.name + ' ' + num.format(p.value) },
          data: stages.map(([name, value]) => ({ name, value })) }],
      });
    });
  }
}

async function renderExperiments(f) {
  const box = document.getElementById('experiments');
  const list = await getJson('/api/experiments?' + query({ journey: f.journey, step: f.step, from: f.from, to: f.to }));
  if (!list.length) { box.textContent = 'Aucun test A/B (une étape avec au moins deux variantes) sur cette période.'; return; }
  const table = document.createElement('table');
  table.innerHTML = '<thead><tr><th>Parcours · étape</th><th>Variante</th><th>Délivrés</th><th>Clics uniques</th><th>Taux</th>'
    + '<th>Écart vs contrôle</th><th>IC 95 %</th><th>p-valeur</th><th>Verdict</th></tr></thead><tbody></tbody>';
  const body = table.querySelector('tbody');
  list.forEach(e => {
    e.arms.forEach(a => {
      const cmp = e.comparisons.find(c => c.challenger === a.variant);
      const t = cmp && cmp.test;
      const verdictText = e.winner === a.variant ? 'Gagnant'
        : e.winner ? '' : (!e.minSampleReached ? 'Échantillon insuffisant' : (t ? (t.significant ? 'Significatif' : 'Non significatif') : 'Contrôle'));
      const cells = [e.journey + ' · ' + e.step, a.variant, fmt.int(a.delivered), fmt.int(a.conversions), fmt.pct(a.rate),
        t && t.difference != null ? fmt.pct(t.difference) : NONE,
        t && t.ciLow != null ? fmt.pct(t.ciLow) + ' ; ' + fmt.pct(t.ciHigh) : NONE,
        t && t.pValue != null ? t.pValue.toFixed(4) : NONE, verdictText];
      const tr = document.createElement('tr');
      cells.forEach(c => { const td = document.createElement('td'); td.textContent = c; tr.appendChild(td); });
      if (e.winner === a.variant) tr.className = 'winner';
      body.appendChild(tr);
    });
    if (e.holdout) {
      const h = e.holdout;
      const tr = document.createElement('tr');
      tr.innerHTML = '<td></td><td>Groupe témoin</td><td></td><td></td><td></td><td></td><td></td><td></td><td></td>';
      tr.children[0].textContent = e.journey + ' · ' + e.step;
      tr.children[2].textContent = fmt.int(h.heldOut);
      tr.children[3].textContent = fmt.int(h.heldOutConverted) + ' commandes';
      tr.children[4].textContent = fmt.pct(h.heldOutRate) + ' (exposés : ' + fmt.pct(h.treatedRate) + ')';
      tr.children[5].textContent = h.test && h.test.difference != null ? fmt.pct(h.test.difference) : NONE;
      tr.children[7].textContent = h.test && h.test.pValue != null ? h.test.pValue.toFixed(4) : NONE;
      tr.children[8].textContent = 'Effet incrémental';
      body.appendChild(tr);
    }
  });
  box.innerHTML = '';
  box.appendChild(table);
}

function fillLists(report, groupBy) {
  if (groupBy === 'journey') {
    document.getElementById('journeys').innerHTML = '';
    report.rows.filter(r => r.journey).forEach(r => {
      const o = document.createElement('option');
      o.value = r.journey;
      document.getElementById('journeys').appendChild(o);
    });
  }
}

async function load() {
  const status = document.getElementById('status');
  status.textContent = 'Chargement…';
  const f = filters();
  charts.splice(0).forEach(c => c.dispose());
  document.getElementById('group-label').textContent = GROUP_LABELS[f.groupBy] || f.groupBy;
  document.getElementById('export-csv').href = '/api/kpis?' + query({ ...f, format: 'csv' });
  history.replaceState(null, '', '/dashboard?' + query(f));
  try {
    const report = await getJson('/api/kpis?' + query(f));
    renderCards(report);
    renderTable(report, f.groupBy);
    renderMainChart(report, f.groupBy);
    fillLists(report, f.groupBy);
    await renderFunnels(f);
    await renderExperiments(f);
    status.textContent = 'À jour : ' + report.rows.length + ' groupe(s), ' + fmt.int(report.total.delivered) + ' message(s) délivré(s).';
    status.dataset.state = 'loaded';
  } catch (e) {
    status.textContent = 'Erreur : ' + e.message;
    status.dataset.state = 'error';
  }
}

function init() {
  const params = new URLSearchParams(window.location.search);
  params.forEach((v, k) => { const el = document.getElementById('filter-' + k); if (el) el.value = v; });
  document.getElementById('filters').addEventListener('submit', e => { e.preventDefault(); load(); });
  window.addEventListener('resize', () => charts.forEach(c => c.resize()));
  load();
}

init();
