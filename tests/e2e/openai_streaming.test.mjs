// The official `openai` SDK against the real gateway, streaming: deltas reassembled by the SDK,
// tool-call arguments split across upstream events, text completions, and a client that aborts.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { OpenAI } from './support/openai_sdk.mjs';
import { json, sse, startFakeUpstream } from './support/fake_upstream.mjs';
import { startGateway } from './support/gateway.mjs';
import { withTimeout } from './support/wait.mjs';
import {
  chatChunk,
  chatCompletion,
  textChunk,
  textUsageChunk,
  usage,
  usageChunk,
} from './support/upstream_bodies.mjs';

const MASTER_KEY = 'sk-master-e2e-stream-51ac';
const UPSTREAM_KEY = 'sk-upstream-stream-8e07d2';
const UPSTREAM_MODEL = 'openai/gpt-oss-20b';
const T = { timeout: 20_000 };
// The product promises the upstream connection is closed within a second of a client disconnect;
// the bound leaves room for a loaded machine.
const UPSTREAM_CLOSE_BOUND_MS = 3_000;

function textStream(pieces) {
  return [
    chatChunk({ model: UPSTREAM_MODEL, delta: { role: 'assistant', content: '' } }),
    ...pieces.map((content) => chatChunk({ model: UPSTREAM_MODEL, delta: { content } })),
    chatChunk({ model: UPSTREAM_MODEL, delta: {}, finishReason: 'stop' }),
    usageChunk({ model: UPSTREAM_MODEL, tokens: usage(9, pieces.length) }),
  ];
}

describe('openai SDK, streaming', { timeout: 120_000 }, () => {
  let fake;
  let gw;
  let client;

  before(async () => {
    fake = await startFakeUpstream();
    gw = await startGateway({
      masterKey: MASTER_KEY,
      models: [{ alias: 'fast', model: `tensormesh/${UPSTREAM_MODEL}`, apiBase: fake.apiBase, apiKey: UPSTREAM_KEY }],
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

  it('streamed chat deltas add up to the upstream text', T, async () => {
    const pieces = ['Hel', 'lo, ', 'wor', 'ld!'];
    fake.enqueue(sse(textStream(pieces)));

    const stream = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'greet' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const deltas = chunks.map((c) => c.choices[0]?.delta?.content).filter((d) => d);
    assert.deepEqual(deltas, pieces);
    assert.equal(deltas.join(''), 'Hello, world!');
    assert.ok(chunks.every((c) => c.model === 'fast'), 'a chunk kept the upstream model name');
    assert.equal(chunks.at(-1).choices[0]?.finish_reason, 'stop');
    // The client did not ask for usage, so the usage-only chunk forced upstream is not forwarded.
    assert.ok(!chunks.some((c) => c.choices.length === 0), 'the usage-only chunk reached a client that did not ask for it');

    const [up] = fake.requests;
    assert.equal(up.path, '/v1/chat/completions');
    assert.equal(up.body.stream, true);
    assert.equal(up.body.model, UPSTREAM_MODEL);
    assert.equal(up.body.stream_options?.include_usage, true);
    assert.equal(up.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  });

  it('a client that asks for usage gets the final usage chunk', T, async () => {
    fake.enqueue(sse(textStream(['a', 'b', 'c'])));

    const stream = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'abc' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const last = chunks.at(-1);
    assert.deepEqual(last.choices, []);
    assert.equal(last.model, 'fast');
    assert.equal(last.usage.prompt_tokens, 9);
    assert.equal(last.usage.completion_tokens, 3);
    assert.equal(last.usage.total_tokens, 12);
  });

  it('a streamed tool call is reassembled with its name and JSON arguments intact', T, async () => {
    const fragments = ['{"ci', 'ty": "Par', 'is", "unit', '": "celsius"}'];
    fake.enqueue(
      sse([
        chatChunk({
          model: UPSTREAM_MODEL,
          delta: {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: 'call_7f3a', type: 'function', function: { name: 'get_weather', arguments: '' } }],
          },
        }),
        ...fragments.map((args) =>
          chatChunk({ model: UPSTREAM_MODEL, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] } }),
        ),
        chatChunk({ model: UPSTREAM_MODEL, delta: {}, finishReason: 'tool_calls' }),
        usageChunk({ model: UPSTREAM_MODEL }),
      ]),
    );
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather in a city',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
            required: ['city'],
          },
        },
      },
    ];

    const stream = client.chat.completions.stream({
      model: 'fast',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
    });
    const argumentDeltas = [];
    stream.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta?.tool_calls ?? []) {
        if (call.function?.arguments) argumentDeltas.push(call.function.arguments);
      }
    });
    const final = await withTimeout(stream.finalChatCompletion(), 15_000, 'the final chat completion');

    assert.equal(final.model, 'fast');
    const choice = final.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls.length, 1);
    const [call] = choice.message.tool_calls;
    assert.equal(call.id, 'call_7f3a');
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.equal(call.function.arguments, fragments.join(''));
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'celsius' });
    assert.deepEqual(argumentDeltas, fragments, 'argument fragments were merged or reordered');

    const [up] = fake.requests;
    assert.equal(up.body.stream, true);
    assert.equal(up.body.tools[0].function.name, 'get_weather');
    assert.equal(up.body.tools[0].function.description, 'Current weather in a city');
  });

  it('streamed text completion adds up to the upstream text', T, async () => {
    const pieces = [' two', ',', ' three'];
    fake.enqueue(
      sse([
        ...pieces.map((text) => textChunk({ model: UPSTREAM_MODEL, text })),
        textChunk({ model: UPSTREAM_MODEL, text: '', finishReason: 'length' }),
        textUsageChunk({ model: UPSTREAM_MODEL }),
      ]),
    );

    const stream = await client.completions.create({ model: 'fast', prompt: 'one,', max_tokens: 3, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const text = chunks.map((c) => c.choices[0]?.text ?? '').join('');
    assert.equal(text, ' two, three');
    assert.ok(chunks.every((c) => c.model === 'fast'), 'a chunk kept the upstream model name');
    assert.equal(chunks.at(-1).choices[0]?.finish_reason, 'length');

    const [up] = fake.requests;
    assert.equal(up.path, '/v1/completions');
    assert.equal(up.body.stream, true);
    assert.equal(up.body.model, UPSTREAM_MODEL);
    assert.equal(up.body.stream_options?.include_usage, true);
  });

  it('aborting a stream after the first chunk closes the upstream connection', T, async () => {
    // The upstream sends one event and then keeps generating (holds the response open).
    fake.enqueue(
      sse([chatChunk({ model: UPSTREAM_MODEL, delta: { role: 'assistant', content: 'Once upon' } })], { done: false, hold: true }),
    );

    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'fast', messages: [{ role: 'user', content: 'tell me a long story' }], stream: true },
      { signal: controller.signal },
    );
    let first;
    for await (const chunk of stream) {
      first = chunk;
      controller.abort();
      break;
    }
    assert.equal(first?.choices[0]?.delta?.content, 'Once upon');
    assert.equal(fake.calls, 1);

    const [up] = fake.requests;
    await withTimeout(up.connectionClosed, UPSTREAM_CLOSE_BOUND_MS, 'the gateway to close the upstream connection after the client aborted');
    assert.equal(up.finished, false, 'the upstream response completed, so nothing was aborted');

    // The gateway survives the disconnect and serves the next request.
    fake.enqueue(json(chatCompletion({ model: UPSTREAM_MODEL, content: 'still here' })));
    const reply = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'ping' }] });
    assert.equal(reply.choices[0].message.content, 'still here');
  });
});
