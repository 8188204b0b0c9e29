#!/usr/bin/env node
// Turns one `make bench` run into tables: every measurement side by side for direct → mock,
// nginx → mock and meshgate → mock, ratios to the nginx row of the same case, and the goals of
// docs/performance.md checked against this run.
//   node bench/report.js RESULTS.jsonl META.json OUT.md [DOCS.md]
// Prints the tables, writes them to OUT.md and, when DOCS.md is given, replaces the part of
// DOCS.md between the bench:results markers with them.
'use strict';
const fs = require('node:fs');

const [resultsFile, metaFile, outFile, docsFile] = process.argv.slice(2);
const rows = fs.readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
const find = (c, t) => rows.find((r) => r.case === c && r.target === t);
const mib = (kb) => (kb / 1024).toFixed(1);
const ratio = (a, b) => (a == null || b == null || !b ? '–' : `${(a / b).toFixed(2)}×`);
const num = (x) => (x == null ? '–' : String(Math.round(x)));

const out = [];
out.push(`Measured ${meta.date} at commit \`${meta.commit}\`${meta.quick ? ' (quick run)' : ''}: ` +
  `${meta.nproc} × ${meta.cpu}, ${meta.duration_s} s per measurement, nginx ${meta.nginx}, wrk ${meta.wrk}. ` +
  `Load average before / after: ${meta.load_before} / ${meta.load_after}` +
  `${meta.peak_reset ? '' : ' (peak RSS could not be reset between cases: lifetime peaks)'}.`);
out.push('');
out.push('| case | target | req/s | p50 µs | p99 µs | proxy CPU µs/req | proxy RSS peak MiB | req/s vs nginx | CPU vs nginx | RSS vs nginx | errors |');
out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const cases = [...new Set(rows.filter((r) => r.requests != null && r.duration_us).map((r) => r.case))];
for (const c of cases) {
  const base = find(c, 'nginx');
  for (const t of ['direct', 'nginx', 'meshgate']) {
    const r = find(c, t);
    if (!r) continue;
    const rps = r.requests / (r.duration_us / 1e6);
    const baseRps = base ? base.requests / (base.duration_us / 1e6) : null;
    const proxy = t !== 'direct';
    out.push(`| ${c} | ${t} | ${num(rps)} | ${r.p50_us} | ${r.p99_us} | ${r.cpu_us ?? '–'} | ` +
      `${proxy ? mib(r.rss_peak_kb) : '–'} | ${ratio(rps, baseRps)} | ` +
      `${proxy ? ratio(r.cpu_us, base && base.cpu_us) : '–'} | ${proxy ? ratio(r.rss_peak_kb, base && base.rss_peak_kb) : '–'} | ${r.errors} |`);
  }
}
out.push('');
out.push('Paced SSE (20 events, one every 5 ms), one request at a time: time from sending the request to ' +
  'the first event, to the end of the stream, and the gaps between events as the client saw them ' +
  '("bunched": events that arrived < 1 ms after the previous one, i.e. held back).');
out.push('');
out.push('| target | first event p50 µs | p99 µs | vs direct (p50) | whole stream p50 µs | p99 µs | event gap p50 µs | bunched events |');
out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
const ttfbDirect = find('paced-ttfb', 'direct');
for (const t of ['direct', 'nginx', 'meshgate']) {
  const r = find('paced-ttfb', t);
  if (!r) continue;
  const delta = ttfbDirect ? r.ttfb_p50_us - ttfbDirect.ttfb_p50_us : null;
  out.push(`| ${t} | ${r.ttfb_p50_us} | ${r.ttfb_p99_us} | ${delta == null ? '–' : (delta >= 0 ? '+' : '') + delta} | ` +
    `${r.total_p50_us} | ${r.total_p99_us} | ${r.gap_p50_us} | ${r.bunched_events} / ${r.events} |`);
}
out.push('');
const idle = (t) => rows.find((r) => r.target === t && r.rss_idle_kb)?.rss_idle_kb;
out.push(`Idle RSS after start-up: nginx ${idle('nginx') ? mib(idle('nginx')) : '–'} MiB (master + worker), ` +
  `meshgate ${idle('meshgate') ? mib(idle('meshgate')) : '–'} MiB.`);
out.push('');

// Goals (docs/performance.md), checked on this run. Where a goal is a quantity nginx has too,
// nginx's own value in this run stands beside it: it tells the machine's share of a miss.
const goals = [];
const goal = (name, value, limit, ok, nginx = '–') => goals.push({ name, value, limit, ok, nginx });
const m = (c) => find(c, 'meshgate');
const n = (c) => find(c, 'nginx');
const d = (c) => find(c, 'direct');
if (m('json-c64') && n('json-c64')) {
  const r = m('json-c64').cpu_us / n('json-c64').cpu_us;
  goal('small JSON c=64: CPU per request vs nginx', `${r.toFixed(2)}×`, '≤ 1.3×', r <= 1.3);
}
if (m('json-c1') && d('json-c1')) {
  const p50 = m('json-c1').p50_us - d('json-c1').p50_us;
  const p99 = m('json-c1').p99_us - d('json-c1').p99_us;
  const nx = n('json-c1');
  goal('c=1 added latency over direct, p50', `${p50} µs`, '≤ 40 µs', p50 <= 40,
    nx ? `${nx.p50_us - d('json-c1').p50_us} µs` : '–');
  goal('c=1 added latency over direct, p99', `${p99} µs`, '≤ 100 µs', p99 <= 100,
    nx ? `${nx.p99_us - d('json-c1').p99_us} µs` : '–');
}
if (m('prompt-256k') && n('prompt-256k')) {
  const r = m('prompt-256k').cpu_us / n('prompt-256k').cpu_us;
  goal('256 KB prompt: CPU per request vs nginx', `${r.toFixed(2)}×`, '≤ 2×', r <= 2);
}
if (m('paced-ttfb') && d('paced-ttfb')) {
  const delta = m('paced-ttfb').ttfb_p50_us - d('paced-ttfb').ttfb_p50_us;
  const nx = n('paced-ttfb');
  goal('paced SSE: first event vs direct (p50)', `+${delta} µs`, '≤ +100 µs', delta <= 100,
    nx ? `+${nx.ttfb_p50_us - d('paced-ttfb').ttfb_p50_us} µs` : '–');
  goal('paced SSE: events held back', `${m('paced-ttfb').bunched_events}`, '0', m('paced-ttfb').bunched_events === 0,
    nx ? `${nx.bunched_events}` : '–');
}
const peak = (c) => (n(c) ? `${mib(n(c).rss_peak_kb)} MiB` : '–');
if (idle('meshgate')) goal('RSS idle', `${mib(idle('meshgate'))} MiB`, '≤ 15 MiB', idle('meshgate') <= 15 * 1024,
  idle('nginx') ? `${mib(idle('nginx'))} MiB` : '–');
if (m('json-c64')) goal('RSS peak, small JSON c=64', `${mib(m('json-c64').rss_peak_kb)} MiB`, '≤ 30 MiB', m('json-c64').rss_peak_kb <= 30 * 1024, peak('json-c64'));
if (m('paced-c1000')) goal('RSS peak, 1,000 concurrent paced streams', `${mib(m('paced-c1000').rss_peak_kb)} MiB`, '≤ 100 MiB', m('paced-c1000').rss_peak_kb <= 100 * 1024, peak('paced-c1000'));
out.push('| goal (meshgate) | this run | target | met | nginx, same run |');
out.push('|---|---:|---:|:---:|---:|');
for (const g of goals) out.push(`| ${g.name} | ${g.value} | ${g.limit} | ${g.ok ? 'yes' : '**no**'} | ${g.nginx} |`);

const text = out.join('\n') + '\n';
process.stdout.write('\n' + text);
fs.writeFileSync(outFile, text);
if (docsFile) {
  const begin = '<!-- bench:results:begin -->';
  const end = '<!-- bench:results:end -->';
  const doc = fs.readFileSync(docsFile, 'utf8');
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) {
    console.error(`report: ${docsFile} has no ${begin} … ${end} section; not updated`);
    process.exit(1);
  }
  fs.writeFileSync(docsFile, doc.slice(0, i + begin.length) + '\n' + text + doc.slice(j));
  console.log(`\nreport: results written to ${docsFile}`);
}
