// A scriptable stand-in for Tensormesh (an OpenAI-compatible vLLM server) on 127.0.0.1:0.
//
// It records every request it receives (method, path, headers, raw and parsed body, and when its
// connection closed) and answers each one with the next scripted response:
//
//   const fake = await startFakeUpstream();
//   fake.enqueue(json({...}));                    // answers the next request
//   fake.enqueue(sse([chunk1, chunk2]));          // each event written with its own write()
//   fake.always(error(429, 'slow down'));         // answers every request with no queued script
//   fake.requests                                 // what it saw, in arrival order
//   await fake.close();
//
// A request that finds no script gets a 500 naming it, and is counted in `fake.unscripted`, so a
// gateway that calls upstream more often than a test expects fails loudly.
import http from 'node:http';
import { deferred, withTimeout } from './wait.mjs';

// A JSON response.
export function json(body, { status = 200, headers = {} } = {}) {
  return { kind: 'json', status, headers, body };
}

// An error response in OpenAI's envelope, as vLLM and Tensormesh send them.
export function error(status, message, { type = 'invalid_request_error', code = null, param = null, headers = {} } = {}) {
  return json({ error: { message, type, param, code } }, { status, headers });
}

// A server-sent event stream. Each entry of `events` is one event: an object is sent as
// `data: <JSON>`, a string as `data: <string>`, and `{ raw: '...' }` as those exact bytes.
// `done` appends `data: [DONE]`. `hold` leaves the response open after the last event, until the
// peer closes the connection or the fake is closed (the "upstream still generating" case).
export function sse(events, { status = 200, headers = {}, done = true, hold = false } = {}) {
  return { kind: 'sse', status, headers, events, done, hold };
}

function sseBytes(event) {
  if (event !== null && typeof event === 'object' && typeof event.raw === 'string') return event.raw;
  const data = typeof event === 'string' ? event : JSON.stringify(event);
  return `data: ${data}\n\n`;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Resolves once the write has been handed to the kernel (or failed because the peer is gone).
function write(res, text) {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    res.write(text, (err) => resolve(!err));
  });
}

export async function startFakeUpstream() {
  const requests = [];
  const queue = [];
  let fallback = null;
  let unscripted = 0;
  let arrivals = [];  // { count, resolve } waiters of waitForRequests()
  const socketClosed = new WeakMap();  // net.Socket -> Promise that resolves on 'close'

  function closedPromise(socket) {
    let p = socketClosed.get(socket);
    if (!p) {
      const d = deferred();
      if (socket.destroyed) d.resolve();
      else socket.once('close', () => d.resolve());
      p = d.promise;
      socketClosed.set(socket, p);
    }
    return p;
  }

  async function serve(script, res, rec) {
    const headers = { ...script.headers };
    if (script.kind === 'json') {
      const body = typeof script.body === 'string' ? script.body : JSON.stringify(script.body);
      res.writeHead(script.status, { 'content-type': 'application/json', ...headers });
      res.end(body);
      return;
    }
    res.writeHead(script.status, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...headers,
    });
    res.flushHeaders();
    for (const event of script.events) {
      if (!(await write(res, sseBytes(event)))) return;
      rec.eventsSent += 1;
    }
    if (script.done && !(await write(res, 'data: [DONE]\n\n'))) return;
    if (!script.hold) res.end();
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const rec = {
        index: requests.length,
        method: req.method,
        path: req.url,
        headers: { ...req.headers },  // node lower-cases header names
        rawBody,
        body: rawBody.length ? parseJson(rawBody) : undefined,
        eventsSent: 0,
        // True once the response was fully written; false if the connection went away first.
        finished: false,
        // Resolves when the TCP connection this request came on is closed (by either side).
        connectionClosed: closedPromise(req.socket),
      };
      res.on('finish', () => {
        rec.finished = true;
      });
      requests.push(rec);
      arrivals = arrivals.filter((w) => (requests.length >= w.count ? (w.resolve(), false) : true));

      let script = queue.length ? queue.shift() : fallback;
      if (typeof script === 'function') script = script(rec);
      if (!script) {
        unscripted += 1;
        script = error(500, `fake upstream: no scripted response for ${req.method} ${req.url}`, { type: 'fake_upstream_unscripted' });
      }
      serve(script, res, rec).catch((err) => {
        res.destroy(err);
      });
    });
  });
  // Node's default keep-alive timeout (5 s) is shorter than a slow sanitizer run may need between
  // two requests on a pooled connection; a dropped idle connection is not what these tests test.
  server.keepAliveTimeout = 60_000;

  await withTimeout(
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    }),
    5_000,
    'the fake upstream to listen',
  );
  const { port } = server.address();

  return {
    port,
    // What a deployment's `api_base` should be.
    apiBase: `http://127.0.0.1:${port}/v1`,
    requests,
    get calls() {
      return requests.length;
    },
    get unscripted() {
      return unscripted;
    },
    // Scripts the next responses, in order. A script may be a function of the recorded request.
    enqueue(...scripts) {
      queue.push(...scripts);
    },
    // The response for any request that finds the queue empty (null: a 500 naming the request).
    always(script) {
      fallback = script;
    },
    // Forgets recorded requests and scripts (between tests).
    reset() {
      requests.length = 0;
      queue.length = 0;
      fallback = null;
      unscripted = 0;
    },
    // Resolves once at least `count` requests have arrived.
    waitForRequests(count, ms = 5_000) {
      if (requests.length >= count) return Promise.resolve();
      const d = deferred();
      arrivals.push({ count, resolve: d.resolve });
      return withTimeout(d.promise, ms, `${count} request(s) at the fake upstream (saw ${requests.length})`);
    },
    // Stops listening and drops every connection, including held streams.
    async close() {
      const done = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await withTimeout(done, 5_000, 'the fake upstream to close');
    },
  };
}
