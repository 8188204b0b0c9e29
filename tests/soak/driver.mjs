// Load driver of `make soak` (scripts/soak.sh): keeps CONCURRENCY clients busy against the
// gateway for SECONDS with a mix of requests, classifies every outcome as ok, expected (an
// error the scenario asked for) or unexpected, and samples the gateway's RSS.
//
//   node driver.mjs --port P --key K --pid PID [--seconds 600] [--concurrency 32]
//
// Exit status: 0 when there was no unexpected outcome and RSS grew under 5 % between the end of
// the warm-up and the end of the run; 1 otherwise.
import http from 'node:http';
import fs from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const port = Number(args.port);
const key = args.key;
const pid = Number(args.pid);
const seconds = Number(args.seconds ?? 600);
const concurrency = Number(args.concurrency ?? 32);
const warmupSeconds = Math.min(60, Math.max(5, seconds / 10));
const requestTimeoutMs = 30000;

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function rssKb() {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

// One HTTP exchange. `abortAfterFirstChunk` destroys the request once the body starts.
function exchange(method, path, headers, body, { abortAfterFirstChunk = false } = {}) {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r) => { if (!settled) { settled = true; resolve(r); } };
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => {
        chunks.push(c);
        if (abortAfterFirstChunk) { req.destroy(); done({ status: res.statusCode, aborted: true }); }
      });
      res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => done({ error: `response: ${e.code ?? e.message}` }));
      res.on('aborted', () => done({ error: 'response aborted by the gateway' }));
    });
    req.setTimeout(requestTimeoutMs, () => { req.destroy(); done({ error: 'timeout' }); });
    req.on('error', (e) => done({ error: `request: ${e.code ?? e.message}` }));
    req.end(body);
  });
}

const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
const anthropic = { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const chatBody = (content, stream = false) =>
  JSON.stringify({ model: 'soak-model', stream, messages: [{ role: 'user', content }] });
const messagesBody = (content, stream = false) =>
  JSON.stringify({ model: 'soak-model', max_tokens: 64, stream, messages: [{ role: 'user', content }] });
const parse = (s) => { try { return JSON.parse(s); } catch { return undefined; } };

// Each scenario: weight, run() → 'ok' | 'expected' | an unexpected reason (string).
const scenarios = {
  chat: [20, async () => {
    const r = await exchange('POST', '/v1/chat/completions', auth, chatBody('hello'));
    if (r.error) return r.error;
    if (r.status !== 200) return `status ${r.status}`;
    return parse(r.body)?.choices?.[0]?.message?.content === 'soak answer' ? 'ok' : 'bad body';
  }],
  chat_stream: [25, async () => {
    const r = await exchange('POST', '/v1/chat/completions', auth, chatBody('hello', true));
    if (r.error) return r.error;
    if (r.status !== 200) return `status ${r.status}`;
    return r.body.includes('tok11') && r.body.endsWith('data: [DONE]\n\n') ? 'ok' : 'bad stream';
  }],
  messages: [10, async () => {
    const r = await exchange('POST', '/v1/messages', anthropic, messagesBody('hello'));
    if (r.error) return r.error;
    if (r.status !== 200) return `status ${r.status}`;
    const m = parse(r.body);
    return m?.type === 'message' && m?.content?.[0]?.text === 'soak answer' ? 'ok' : 'bad body';
  }],
  messages_stream: [10, async () => {
    const r = await exchange('POST', '/v1/messages', anthropic, messagesBody('hello', true));
    if (r.error) return r.error;
    if (r.status !== 200) return `status ${r.status}`;
    return r.body.includes('event: message_stop') ? 'ok' : 'bad stream';
  }],
  client_abort: [10, async () => {
    const r = await exchange('POST', '/v1/chat/completions', auth, chatBody('hello', true), { abortAfterFirstChunk: true });
    if (r.error) return r.error;
    return r.aborted && r.status === 200 ? 'expected' : `status ${r.status}`;
  }],
  upstream_500: [5, async () => {
    const r = await exchange('POST', '/v1/chat/completions', auth, chatBody('soak:error500'));
    if (r.error) return r.error;
    return r.status >= 500 && parse(r.body)?.error ? 'expected' : `status ${r.status}`;
  }],
  upstream_429: [5, async () => {
    const r = await exchange('POST', '/v1/messages', anthropic, messagesBody('soak:error429'));
    if (r.error) return r.error;
    return r.status === 429 && parse(r.body)?.type === 'error' ? 'expected' : `status ${r.status}`;
  }],
  upstream_drop: [5, async () => {
    const r = await exchange('POST', '/v1/chat/completions', auth, chatBody('soak:drop', true));
    if (r.error) return r.error;
    return r.status === 200 && r.body.includes('"error"') ? 'expected' : `status ${r.status}`;
  }],
  bad_json: [5, async () => {
    const r = await exchange('POST', '/v1/chat/completions', auth, '{"model":"soak-model","messages":[');
    if (r.error) return r.error;
    return r.status === 400 ? 'expected' : `status ${r.status}`;
  }],
  bad_key: [5, async () => {
    const r = await exchange('POST', '/v1/chat/completions', { ...auth, authorization: 'Bearer sk-wrong' }, chatBody('hello'));
    if (r.error) return r.error;
    return r.status === 401 ? 'expected' : `status ${r.status}`;
  }],
};

const names = Object.keys(scenarios);
const totalWeight = names.reduce((s, n) => s + scenarios[n][0], 0);
function pick() {
  let x = Math.random() * totalWeight;
  for (const n of names) { x -= scenarios[n][0]; if (x < 0) return n; }
  return names[0];
}

const counts = Object.fromEntries(names.map((n) => [n, { ok: 0, expected: 0, unexpected: 0 }]));
const reasons = new Map();
const start = Date.now();
const deadline = start + seconds * 1000;
const rss = { launch: rssKb(), warm: NaN, end: NaN, max: 0 };

async function client() {
  while (Date.now() < deadline) {
    const n = pick();
    let outcome;
    try { outcome = await scenarios[n][1](); } catch (e) { outcome = `driver exception: ${e.message}`; }
    if (outcome === 'ok' || outcome === 'expected') counts[n][outcome]++;
    else {
      counts[n].unexpected++;
      const k = `${n}: ${outcome}`;
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
    }
  }
}

const sum = (f) => names.reduce((s, n) => s + counts[n][f], 0);
const mb = (kb) => (kb / 1024).toFixed(1);
const sampler = setInterval(() => {
  const now = rssKb();
  rss.max = Math.max(rss.max, now);
  const t = Math.round((Date.now() - start) / 1000);
  console.log(`[${t}s] requests ${sum('ok') + sum('expected') + sum('unexpected')}  ok ${sum('ok')}  expected ${sum('expected')}` +
    `  unexpected ${sum('unexpected')}  rss ${mb(now)} MB`);
}, Math.min(60, Math.max(5, seconds / 10)) * 1000);
setTimeout(() => { rss.warm = rssKb(); console.log(`warm-up over after ${warmupSeconds}s: rss ${mb(rss.warm)} MB`); },
  warmupSeconds * 1000);

await Promise.all(Array.from({ length: concurrency }, client));
clearInterval(sampler);
agent.destroy();
rss.end = rssKb();
rss.max = Math.max(rss.max, rss.end);

const elapsed = (Date.now() - start) / 1000;
const total = sum('ok') + sum('expected') + sum('unexpected');
console.log(`\nsoak: ${elapsed.toFixed(0)} s, ${concurrency} clients, ${total} requests (${(total / elapsed).toFixed(0)}/s)`);
console.log('scenario           ok   expected  unexpected');
for (const n of names)
  console.log(`${n.padEnd(16)} ${String(counts[n].ok).padStart(6)} ${String(counts[n].expected).padStart(10)} ${String(counts[n].unexpected).padStart(11)}`);
console.log(`total            ${String(sum('ok')).padStart(6)} ${String(sum('expected')).padStart(10)} ${String(sum('unexpected')).padStart(11)}`);
for (const [k, v] of reasons) console.log(`  unexpected ${k} ×${v}`);
const growth = (rss.end - rss.warm) / rss.warm * 100;
console.log(`gateway RSS: at launch ${mb(rss.launch)} MB, after warm-up ${mb(rss.warm)} MB, at end ${mb(rss.end)} MB,` +
  ` peak ${mb(rss.max)} MB; growth after warm-up ${growth.toFixed(2)} %`);
const pass = sum('unexpected') === 0 && growth < 5;
console.log(pass ? 'soak: PASS (no unexpected errors, RSS growth under 5 %)' : 'soak: FAIL');
process.exit(pass ? 0 : 1);
