// Runs the real meshgate binary (env MESHGATE_BIN) for a test file.
//
//   const gw = await startGateway({
//     masterKey: 'sk-master',
//     models: [{ alias: 'fast', model: 'tensormesh/openai/gpt-oss-20b', apiBase: fake.apiBase, apiKey: 'sk-up' }],
//     extraConfig: { router_settings: { num_retries: 0 } },
//   });
//   gw.baseUrl      // http://127.0.0.1:<port>
//   await gw.stop() // SIGTERM, then { code, signal }
//
// The config is written as JSON, which is also valid YAML, to a fresh temporary directory that is
// the gateway's working directory too (so its default ./meshgate.db lands there, not in the
// source tree). Start-up waits for the one stdout line the binary prints once it accepts
// connections; every wait is bounded, and a gateway that fails to start is killed before the
// error is thrown. Gateways still running when the test process exits are killed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { deferred, withTimeout } from './wait.mjs';

const LISTENING_LINE = /^meshgate listening on (http:\/\/127\.0\.0\.1:(\d+))$/;
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const STDERR_KEPT_BYTES = 64 * 1024;

const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function gatewayBinary() {
  const bin = process.env.MESHGATE_BIN;
  if (!bin) {
    throw new Error(
      'MESHGATE_BIN is not set: run the e2e tests through ctest (ctest -L e2e), or set it to the ' +
        'path of a built meshgate binary',
    );
  }
  const resolved = path.resolve(bin);
  try {
    fs.accessSync(resolved, fs.constants.X_OK);
  } catch {
    throw new Error(`MESHGATE_BIN=${bin} is not an executable file: build the meshgate target first`);
  }
  return resolved;
}

// One model_list entry. Either a LiteLLM entry as written in a config (has `model_name`), or the
// shorthand { alias, model, apiBase, apiKey, params, info }.
function modelEntry(m) {
  if (m.model_name) return m;
  const entry = {
    model_name: m.alias,
    litellm_params: { model: m.model, api_base: m.apiBase, api_key: m.apiKey, ...m.params },
  };
  if (m.info) entry.model_info = m.info;
  return entry;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function deepMerge(base, extra) {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra ?? {})) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

export function buildConfig({ models = [], masterKey, extraConfig } = {}) {
  const config = { model_list: models.map(modelEntry) };
  if (masterKey !== undefined) config.general_settings = { master_key: masterKey };
  return deepMerge(config, extraConfig);
}

// Starts a gateway. `env` adds to (or, with undefined values, removes from) the inherited
// environment; `args` are appended to the command line.
export async function startGateway({ models, masterKey, extraConfig, env = {}, args = [] } = {}) {
  const bin = gatewayBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-e2e-'));
  const configPath = path.join(dir, 'config.yaml');
  fs.writeFileSync(configPath, JSON.stringify(buildConfig({ models, masterKey, extraConfig }), null, 2) + '\n');

  const childEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const argv = ['--config', configPath, '--host', '127.0.0.1', '--port', '0', '--num_workers', '2', ...args];
  const child = spawn(bin, argv, { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);

  let stderr = '';
  const stderrEnded = new Promise((resolve) => child.stderr.once('close', resolve));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    stderr = (stderr + text).slice(-STDERR_KEPT_BYTES);
    if (process.env.MESHGATE_E2E_VERBOSE) process.stderr.write(text);
  });

  const exited = deferred();
  let exitStatus = null;
  child.once('exit', (code, signal) => {
    exitStatus = { code, signal };
    running.delete(child);
    exited.resolve(exitStatus);
  });
  const spawnFailed = new Promise((_, reject) => child.on('error', reject));

  const stdoutLines = [];
  const listening = deferred();
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    stdoutLines.push(line);
    const m = LISTENING_LINE.exec(line);
    if (m) listening.resolve({ baseUrl: m[1], port: Number(m[2]) });
  });

  const diagnostics = () =>
    `command: ${bin} ${argv.join(' ')}\nstdout:\n${stdoutLines.join('\n')}\nstderr (tail):\n${stderr}`;
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });

  let address;
  try {
    address = await withTimeout(
      Promise.race([
        listening.promise,
        spawnFailed,
        exited.promise.then((s) => {
          throw new Error(`meshgate exited before listening (code ${s.code}, signal ${s.signal})`);
        }),
      ]),
      START_TIMEOUT_MS,
      'the "meshgate listening on http://127.0.0.1:<port>" line',
    );
  } catch (err) {
    if (!exitStatus) {
      child.kill('SIGKILL');
      await withTimeout(exited.promise, STOP_TIMEOUT_MS, 'meshgate to die after SIGKILL').catch(() => {});
    }
    // 'exit' can come before the last stderr bytes are read; they usually say why it failed.
    await withTimeout(stderrEnded, 1_000, 'the end of stderr').catch(() => {});
    cleanup();
    throw new Error(`${err.message}\n${diagnostics()}`, { cause: err });
  }

  let stopping = null;
  return {
    ...address,
    // What an OpenAI SDK's baseURL should be.
    openaiBaseUrl: `${address.baseUrl}/v1`,
    masterKey,
    configPath,
    stdoutLines,
    stderr: () => stderr,
    exitStatus: () => exitStatus,
    // SIGTERM, then waits for exit; SIGKILL if it does not exit in time. Resolves to
    // { code, signal, killed } where `killed` says the SIGTERM was not honoured. Safe to call
    // more than once (after() hooks call it even when a test already did).
    stop() {
      stopping ??= (async () => {
        let killed = false;
        if (!exitStatus) {
          child.kill('SIGTERM');
          try {
            await withTimeout(exited.promise, STOP_TIMEOUT_MS, 'meshgate to exit after SIGTERM');
          } catch {
            killed = true;
            child.kill('SIGKILL');
            await withTimeout(exited.promise, STOP_TIMEOUT_MS, 'meshgate to die after SIGKILL');
          }
        }
        cleanup();
        if (killed || exitStatus.code !== 0) {
          // The gateway's own account of what went wrong; on a clean exit it is only noise.
          process.stderr.write(`meshgate did not exit cleanly (${JSON.stringify({ ...exitStatus, killed })}); ${diagnostics()}\n`);
        }
        return { ...exitStatus, killed };
      })();
      return stopping;
    },
  };
}
