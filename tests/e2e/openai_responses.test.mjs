// The official `openai` SDK's Responses API against the real gateway, in both modes: `native`
// (the upstream serves /responses; ids made opaque and routed back) and `bridge` (the upstream
// only serves chat completions; the gateway translates both ways). Non-streamed and streamed,
// read through the SDK's own event iterator and `output_text`.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { OpenAI } from './support/openai_sdk.mjs';
import { json, sse, startFakeUpstream } from './support/fake_upstream.mjs';
import { startGateway } from './support/gateway.mjs';
import { chatChunk, chatCompletion, usage, usageChunk } from './support/upstream_bodies.mjs';

const MASTER_KEY = 'sk-master-e2e-responses-73c1';
const UPSTREAM_KEY = 'sk-upstream-responses-2a9e44';
const UPSTREAM_MODEL = 'openai/gpt-oss-120b';
const NATIVE = 'resp-native';
const BRIDGE = 'resp-bridge';
const T = { timeout: 20_000 };

// A Responses object as an upstream with native /responses returns it.
function upstreamResponse({ id = 'resp_upstream_1', text = 'Hello there.', status = 'completed' } = {}) {
  return {
    id,
    object: 'response',
    created_at: 1_767_000_000,
    status,
    model: UPSTREAM_MODEL,
    output:
      status === 'completed'
        ? [{ type: 'message', id: 'msg_up_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }]
        : [],
    usage: status === 'completed' ? { prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 } : null,
  };
}

// The event sequence of a native streamed Responses answer of `pieces`.
function upstreamEvents(pieces) {
  const text = pieces.join('');
  const item = { type: 'message', id: 'msg_up_1', status: 'in_progress', role: 'assistant', content: [] };
  const part = { type: 'output_text', text: '', annotations: [] };
  let n = 0;
  const ev = (type, fields) => ({ type, sequence_number: n++, ...fields });
  return [
    ev('response.created', { response: upstreamResponse({ status: 'in_progress' }) }),
    ev('response.in_progress', { response: upstreamResponse({ status: 'in_progress' }) }),
    ev('response.output_item.added', { output_index: 0, item }),
    ev('response.content_part.added', { item_id: 'msg_up_1', output_index: 0, content_index: 0, part }),
    ...pieces.map((delta) => ev('response.output_text.delta', { item_id: 'msg_up_1', output_index: 0, content_index: 0, delta })),
    ev('response.output_text.done', { item_id: 'msg_up_1', output_index: 0, content_index: 0, text }),
    ev('response.content_part.done', { item_id: 'msg_up_1', output_index: 0, content_index: 0, part: { ...part, text } }),
    ev('response.output_item.done', {
      output_index: 0,
      item: { ...item, status: 'completed', content: [{ ...part, text }] },
    }),
    ev('response.completed', { response: upstreamResponse({ text }) }),
  ];
}

describe('openai SDK, /v1/responses', { timeout: 180_000 }, () => {
  let fake;
  let gw;
  let client;

  before(async () => {
    fake = await startFakeUpstream();
    gw = await startGateway({
      masterKey: MASTER_KEY,
      models: [
        { alias: NATIVE, model: `tensormesh/${UPSTREAM_MODEL}`, apiBase: fake.apiBase, apiKey: UPSTREAM_KEY },
        {
          alias: BRIDGE,
          model: `hosted_vllm/${UPSTREAM_MODEL}`,
          apiBase: fake.apiBase,
          apiKey: UPSTREAM_KEY,
          params: { responses_mode: 'bridge' },
        },
      ],
      extraConfig: { router_settings: { num_retries: 0 } },
    });
    client = new OpenAI({ baseURL: gw.baseUrl, apiKey: MASTER_KEY, maxRetries: 0, timeout: 15_000 });
  });

  after(async () => {
    await gw?.stop();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  afterEach(() => {
    assert.equal(fake.unscripted, 0, 'the gateway made upstream calls the test did not script');
  });

  it('native: create returns the alias, normalised usage and an opaque id that retrieve and delete route back', T, async () => {
    fake.enqueue(json(upstreamResponse()));
    const { data: res, response } = await client.responses
      .create({ model: NATIVE, instructions: 'Be kind.', input: 'Say hello' })
      .withResponse();
    assert.equal(res.output_text, 'Hello there.');
    assert.equal(res.model, NATIVE);
    assert.match(res.id, /^resp_/);
    assert.notEqual(res.id, 'resp_upstream_1');
    assert.deepEqual(res.usage, {
      input_tokens: 20,
      output_tokens: 4,
      total_tokens: 24,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens_details: { reasoning_tokens: 0 },
    });
    assert.ok(response.headers.get('x-litellm-response-cost'), 'no cost header on a priced model');

    const [up] = fake.requests;
    assert.equal(up.method, 'POST');
    assert.equal(up.path, '/v1/responses');
    assert.equal(up.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.equal(up.body.model, UPSTREAM_MODEL);
    assert.equal(up.body.instructions, 'Be kind.');
    assert.ok(!up.rawBody.includes(MASTER_KEY));

    fake.enqueue(json(upstreamResponse()));
    const again = await client.responses.retrieve(res.id);
    assert.equal(again.id, res.id);
    assert.equal(again.output_text, 'Hello there.');
    assert.equal(fake.requests[1].method, 'GET');
    assert.equal(fake.requests[1].path, '/v1/responses/resp_upstream_1');

    fake.enqueue(json({ id: 'resp_upstream_1', object: 'response', deleted: true }));
    await client.responses.delete(res.id);
    assert.equal(fake.requests[2].method, 'DELETE');
    assert.equal(fake.requests[2].path, '/v1/responses/resp_upstream_1');

    await assert.rejects(client.responses.retrieve(`${res.id}x`), (err) => err.status === 404);
    assert.equal(fake.calls, 3);
  });

  it('native: streamed events reach the SDK iterator in order with the alias and a stable id', T, async () => {
    fake.enqueue(sse(upstreamEvents(['Hel', 'lo', ' there.']), { done: false }));
    const stream = await client.responses.create({ model: NATIVE, input: 'Say hello', stream: true });
    const types = [];
    const deltas = [];
    let created;
    let completed;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.created') created = ev.response;
      if (ev.type === 'response.output_text.delta') deltas.push(ev.delta);
      if (ev.type === 'response.completed') completed = ev.response;
    }
    assert.deepEqual(deltas, ['Hel', 'lo', ' there.']);
    assert.equal(types[0], 'response.created');
    assert.equal(types.at(-1), 'response.completed');
    assert.equal(created.model, NATIVE);
    assert.equal(completed.id, created.id);
    assert.notEqual(completed.id, 'resp_upstream_1');
    assert.equal(completed.usage.input_tokens, 20);
    assert.equal(fake.requests[0].body.stream, true);

    // The SDK's stream helper assembles the same answer into output_text.
    fake.enqueue(sse(upstreamEvents(['Hi', '!']), { done: false }));
    const helper = client.responses.stream({ model: NATIVE, input: 'Say hi' });
    const final = await helper.finalResponse();
    assert.equal(final.output_text, 'Hi!');
    assert.equal(final.model, NATIVE);
  });

  it('bridge: create over a chat-only upstream, then continue with previous_response_id', T, async () => {
    fake.enqueue(json(chatCompletion({ model: UPSTREAM_MODEL, content: 'The capital is Paris.', tokens: usage(30, 6) })));
    const first = await client.responses.create({ model: BRIDGE, instructions: 'Be terse.', input: 'Capital of France?' });
    assert.equal(first.output_text, 'The capital is Paris.');
    assert.equal(first.model, BRIDGE);
    assert.equal(first.status, 'completed');
    assert.match(first.id, /^resp_/);
    assert.equal(first.usage.input_tokens, 30);
    assert.equal(fake.requests[0].path, '/v1/chat/completions');
    assert.deepEqual(fake.requests[0].body.messages, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Capital of France?' },
    ]);

    fake.enqueue(json(chatCompletion({ model: UPSTREAM_MODEL, content: 'About 2.1 million.' })));
    const second = await client.responses.create({ model: BRIDGE, input: 'Population?', previous_response_id: first.id });
    assert.equal(second.output_text, 'About 2.1 million.');
    assert.equal(second.previous_response_id, first.id);
    assert.deepEqual(fake.requests[1].body.messages, [
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'The capital is Paris.' },
      { role: 'user', content: 'Population?' },
    ]);

    await assert.rejects(
      client.responses.create({ model: BRIDGE, input: 'x', previous_response_id: 'resp_unknown' }),
      (err) => err.status === 400 && /resp_unknown/.test(err.message),
    );
  });

  it('bridge: a streamed chat answer becomes the Responses event sequence the SDK assembles', T, async () => {
    const chunks = [
      chatChunk({ model: UPSTREAM_MODEL, delta: { role: 'assistant', content: '' } }),
      chatChunk({ model: UPSTREAM_MODEL, delta: { reasoning_content: 'Thinking.' } }),
      chatChunk({ model: UPSTREAM_MODEL, delta: { content: 'Bon' } }),
      chatChunk({ model: UPSTREAM_MODEL, delta: { content: 'jour' } }),
      chatChunk({ model: UPSTREAM_MODEL, delta: {}, finishReason: 'stop' }),
      usageChunk({ model: UPSTREAM_MODEL, tokens: usage(11, 3) }),
    ];
    fake.enqueue(sse(chunks));
    const stream = await client.responses.create({ model: BRIDGE, input: 'Hello in French', stream: true });
    const events = [];
    for await (const ev of stream) events.push(ev);
    assert.equal(events[0].type, 'response.created');
    assert.equal(events.at(-1).type, 'response.completed');
    events.forEach((ev, i) => assert.equal(ev.sequence_number, i));
    const done = events.at(-1).response;
    assert.equal(done.id, events[0].response.id);
    assert.deepEqual(
      done.output.map((o) => o.type),
      ['reasoning', 'message'],
    );
    assert.equal(done.usage.output_tokens, 3);
    assert.deepEqual(
      events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta),
      ['Bon', 'jour'],
    );
    assert.equal(fake.requests[0].body.stream_options.include_usage, true);

    fake.enqueue(sse(chunks));
    const final = await client.responses.stream({ model: BRIDGE, input: 'Hello in French' }).finalResponse();
    assert.equal(final.output_text, 'Bonjour');
    assert.equal(final.model, BRIDGE);
  });
});
