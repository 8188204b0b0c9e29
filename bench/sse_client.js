#!/usr/bin/env node
// Paced-SSE measuring client for `make bench`. Sends COUNT streaming requests one after another
// over one keep-alive connection and measures, per request, the time from sending to the first
// SSE event (time to first byte of content) and to the end of the stream, plus the gaps between
// consecutive events: with a mock that emits one event every 5 ms, a proxy that forwards each
// event as it arrives keeps the gaps near 5 ms, and a buffering one shows gaps near 0.
//   node bench/sse_client.js URL BODY_FILE KEY COUNT
// Prints one JSON line (times in microseconds); exits 1 on any failed or malformed stream.
'use strict';
const http = require('node:http');
const fs = require('node:fs');

const [url, bodyFile, key, countArg] = process.argv.slice(2);
const count = Number(countArg || 20);
const body = fs.readFileSync(bodyFile);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const EXPECTED_EVENTS = 20;
const REQUEST_TIMEOUT_MS = 10000;

function once() {
  return new Promise((resolve, reject) => {
    const times = [];
    let pending = '';
    const t0 = process.hrtime.bigint();
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`,
                 'content-length': body.length },
    }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`status ${res.statusCode}`));
      }
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = process.hrtime.bigint();
        pending += chunk;
        let i;
        while ((i = pending.indexOf('\n\n')) >= 0) {
          if (pending.slice(0, i).startsWith('data:')) times.push(now);
          pending = pending.slice(i + 2);
        }
      });
      res.on('end', () => {
        const end = process.hrtime.bigint();
        if (times.length !== EXPECTED_EVENTS) return reject(new Error(`${times.length} events, expected ${EXPECTED_EVENTS}`));
        const us = (a, b) => Number(b - a) / 1000;
        const gaps = [];
        for (let k = 1; k < times.length; k++) gaps.push(us(times[k - 1], times[k]));
        resolve({ ttfb: us(t0, times[0]), total: us(t0, end), gaps });
      });
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

(async () => {
  const runs = [];
  await once(); // warm the keep-alive connection (and the proxy's upstream connection)
  for (let k = 0; k < count; k++) runs.push(await once());
  const gaps = runs.flatMap((r) => r.gaps);
  const r = (x) => Math.round(x);
  console.log(JSON.stringify({
    requests: runs.length,
    ttfb_p50_us: r(pct(runs.map((x) => x.ttfb), 50)),
    ttfb_p99_us: r(pct(runs.map((x) => x.ttfb), 99)),
    total_p50_us: r(pct(runs.map((x) => x.total), 50)),
    total_p99_us: r(pct(runs.map((x) => x.total), 99)),
    gap_min_us: r(Math.min(...gaps)),
    gap_p50_us: r(pct(gaps, 50)),
    // events that reached the client less than 1 ms after the previous one: held back, then
    // sent together (should be 0 when every event is forwarded as it arrives)
    bunched_events: gaps.filter((g) => g < 1000).length,
    events: gaps.length + runs.length,
  }));
  agent.destroy();
})().catch((e) => { console.error(`sse_client: ${url}: ${e.message}`); agent.destroy(); process.exit(1); });
