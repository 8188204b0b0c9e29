// The official `openai` SDK against the real gateway, non-streaming: what the client sees, and what
// the upstream (a recording fake) receives.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { OpenAI } from './support/openai_sdk.mjs';
import { error, json, startFakeUpstream } from './support/fake_upstream.mjs';
import { startGateway } from './support/gateway.mjs';
import { chatCompletion, textCompletion, usage } from './support/upstream_bodies.mjs';

const MASTER_KEY = 'sk-master-e2e-basic-7b41';
const FAST_KEY = 'sk-upstream-fast-3c1f0a';
const SMART_KEY = 'sk-upstream-smart-9d2e4b';
const T = { timeout: 20_000 };

function headerEntries(headers) {
  return Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]);
}

describe('openai SDK, non-streaming', { timeout: 120_000 }, () => {
  let fake;
  let gw;
  let client;

  before(async () => {
    fake = await startFakeUpstream();
    gw = await startGateway({
      masterKey: MASTER_KEY,
      models: [
        { alias: 'fast', model: 'tensormesh/openai/gpt-oss-20b', apiBase: fake.apiBase, apiKey: FAST_KEY },
        { alias: 'smart', model: 'tensormesh/openai/gpt-oss-120b', apiBase: fake.apiBase, apiKey: SMART_KEY },
      ],
      // One upstream call per request, so the 429 case is not slowed down by backoff.
      extraConfig: { router_settings: { num_retries: 0 } },
    });
    client = new OpenAI({ baseURL: gw.openaiBaseUrl, apiKey: MASTER_KEY, maxRetries: 0, timeout: 15_000 });
  });

  after(async () => {
    await gw?.stop();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  afterEach(() => {
    assert.equal(fake.unscripted, 0, 'the gateway made upstream calls the test did not script');
  });

  it('chat completion returns the upstream text under the alias', T, async () => {
    fake.enqueue(json(chatCompletion({ model: 'openai/gpt-oss-120b', content: 'Paris is the capital of France.' })));

    const { data, response } = await client.chat.completions
      .create({ model: 'smart', messages: [{ role: 'user', content: 'Capital of France?' }] })
      .withResponse();

    assert.equal(response.status, 200);
    assert.equal(data.model, 'smart');
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.equal(data.choices[0].message.content, 'Paris is the capital of France.');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.deepEqual(
      [data.usage.prompt_tokens, data.usage.completion_tokens, data.usage.total_tokens],
      [usage().prompt_tokens, usage().completion_tokens, usage().total_tokens],
    );
    for (const [name, value] of response.headers) {
      assert.ok(!value.includes(SMART_KEY), `response header ${name} carries the upstream key`);
      assert.ok(!value.includes(FAST_KEY), `response header ${name} carries an upstream key`);
    }
  });

  it('upstream gets the model id, the deployment key and max_tokens, never the master key', T, async () => {
    fake.enqueue(json(chatCompletion({ model: 'openai/gpt-oss-120b', content: 'ok' })));

    await client.chat.completions.create({
      model: 'smart',
      messages: [{ role: 'user', content: 'hello' }],
      max_completion_tokens: 64,
      temperature: 0.2,
    });

    assert.equal(fake.calls, 1);
    const [up] = fake.requests;
    assert.equal(up.method, 'POST');
    assert.equal(up.path, '/v1/chat/completions');
    assert.equal(up.headers.authorization, `Bearer ${SMART_KEY}`);
    assert.equal(up.body.model, 'openai/gpt-oss-120b');
    assert.equal(up.body.max_tokens, 64);
    assert.ok(!('max_completion_tokens' in up.body), 'max_completion_tokens was forwarded unrenamed');
    assert.equal(up.body.temperature, 0.2);
    assert.deepEqual(up.body.messages, [{ role: 'user', content: 'hello' }]);
    for (const [name, value] of headerEntries(up.headers)) {
      assert.ok(!value.includes(MASTER_KEY), `upstream header ${name} carries the master key`);
    }
    assert.ok(!up.rawBody.includes(MASTER_KEY), 'upstream body carries the master key');
  });

  it('each alias reaches its own deployment with its own key', T, async () => {
    fake.enqueue(json(chatCompletion({ model: 'openai/gpt-oss-20b', content: 'fast answer' })));

    const reply = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'quick' }],
    });

    assert.equal(reply.model, 'fast');
    assert.equal(reply.choices[0].message.content, 'fast answer');
    assert.equal(fake.requests[0].body.model, 'openai/gpt-oss-20b');
    assert.equal(fake.requests[0].headers.authorization, `Bearer ${FAST_KEY}`);
  });

  it('text completion returns the upstream text under the alias', T, async () => {
    fake.enqueue(json(textCompletion({ model: 'openai/gpt-oss-20b', text: ' two, three' })));

    const reply = await client.completions.create({ model: 'fast', prompt: 'one,', max_tokens: 8 });

    assert.equal(reply.model, 'fast');
    assert.equal(reply.object, 'text_completion');
    assert.equal(reply.choices[0].text, ' two, three');
    assert.equal(fake.calls, 1);
    const [up] = fake.requests;
    assert.equal(up.path, '/v1/completions');
    assert.equal(up.body.model, 'openai/gpt-oss-20b');
    assert.equal(up.body.prompt, 'one,');
    assert.equal(up.body.max_tokens, 8);
    assert.equal(up.headers.authorization, `Bearer ${FAST_KEY}`);
  });

  it('models.list lists the aliases without calling upstream', T, async () => {
    const page = await client.models.list();

    assert.deepEqual(page.data.map((m) => m.id).sort(), ['fast', 'smart']);
    for (const m of page.data) {
      assert.equal(m.object, 'model');
      assert.equal(typeof m.created, 'number');
      assert.equal(typeof m.owned_by, 'string');
    }
    assert.equal(fake.calls, 0);
  });

  it('models.retrieve returns one alias', T, async () => {
    const model = await client.models.retrieve('smart');

    assert.equal(model.id, 'smart');
    assert.equal(model.object, 'model');
    assert.equal(fake.calls, 0);
  });

  it('a wrong key is an AuthenticationError and upstream is never called', T, async () => {
    fake.always(json(chatCompletion({ model: 'openai/gpt-oss-20b', content: 'must not be served' })));
    const intruder = new OpenAI({ baseURL: gw.openaiBaseUrl, apiKey: 'sk-not-the-master-key', maxRetries: 0, timeout: 15_000 });

    await assert.rejects(
      intruder.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
      (err) => {
        assert.ok(err instanceof OpenAI.AuthenticationError, `expected AuthenticationError, got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.status, 401);
        assert.equal(err.type, 'auth_error');
        return true;
      },
    );
    assert.equal(fake.calls, 0);
  });

  it('an upstream 429 is a RateLimitError', T, async () => {
    fake.always(
      error(429, 'Rate limit reached for requests', { type: 'rate_limit_error', code: '429', headers: { 'retry-after': '1' } }),
    );

    await assert.rejects(
      client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }),
      (err) => {
        assert.ok(err instanceof OpenAI.RateLimitError, `expected RateLimitError, got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.status, 429);
        assert.equal(typeof err.message, 'string');
        return true;
      },
    );
    assert.ok(fake.calls >= 1);
  });

  it('SIGTERM stops the gateway with exit code 0', T, async () => {
    const status = await gw.stop();

    assert.equal(status.killed, false, 'the gateway ignored SIGTERM and had to be killed');
    assert.equal(status.signal, null);
    assert.equal(status.code, 0);
  });
});
