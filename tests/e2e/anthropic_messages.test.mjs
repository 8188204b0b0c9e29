// The official `@anthropic-ai/sdk` against the real gateway's POST /v1/messages: the gateway turns
// each Messages request into an OpenAI chat completion for the upstream (a recording fake) and the
// chat answer back into a Message, streamed or not.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Anthropic } from './support/anthropic_sdk.mjs';
import { json, sse, startFakeUpstream } from './support/fake_upstream.mjs';
import { startGateway } from './support/gateway.mjs';
import { withTimeout } from './support/wait.mjs';
import { chatChunk, chatCompletion, usage, usageChunk } from './support/upstream_bodies.mjs';

const MASTER_KEY = 'sk-master-e2e-anthropic-4d19';
const UPSTREAM_KEY = 'sk-upstream-anthropic-6b2f80';
const UPSTREAM_MODEL = 'openai/gpt-oss-20b';
const ALIAS = 'claude-fast';
const T = { timeout: 20_000 };

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
};

function headerEntries(headers) {
  return Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]);
}

// A non-streamed chat completion whose assistant message is exactly `message`.
function chatAnswer({ message, finishReason = 'stop', tokens = usage() }) {
  const body = chatCompletion({ model: UPSTREAM_MODEL, content: null, finishReason, tokens });
  body.choices[0].message = { role: 'assistant', ...message };
  return body;
}

function toolCall(id, name, args) {
  return { id, type: 'function', function: { name, arguments: args } };
}

// The text of a chat message's content, whether a string or an array of text parts.
function chatText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p?.type === 'text' ? p.text : '')).join('');
  return '';
}

// Content blocks as plain JSON (the SDK's streamed tool_use input is an enumerable getter).
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

function assertNoMasterKey(up) {
  for (const [name, value] of headerEntries(up.headers)) {
    assert.ok(!value.includes(MASTER_KEY), `upstream header ${name} carries the master key`);
  }
  assert.ok(!up.rawBody.includes(MASTER_KEY), 'upstream body carries the master key');
  assert.ok(!('x-api-key' in up.headers), 'the client x-api-key header was forwarded upstream');
}

describe('anthropic SDK, /v1/messages', { timeout: 180_000 }, () => {
  let fake;
  let gw;
  let client;

  before(async () => {
    fake = await startFakeUpstream();
    gw = await startGateway({
      masterKey: MASTER_KEY,
      models: [{ alias: ALIAS, model: `tensormesh/${UPSTREAM_MODEL}`, apiBase: fake.apiBase, apiKey: UPSTREAM_KEY }],
      extraConfig: { router_settings: { num_retries: 0 } },
    });
    // authToken: null so an ANTHROPIC_AUTH_TOKEN in the environment cannot add a second credential.
    client = new Anthropic({ baseURL: gw.baseUrl, apiKey: MASTER_KEY, authToken: null, maxRetries: 0, timeout: 15_000 });
  });

  after(async () => {
    await gw?.stop();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  afterEach(() => {
    assert.equal(fake.unscripted, 0, 'the gateway made upstream calls the test did not script');
  });

  it('a text answer becomes a text block with end_turn, the alias and the usage', T, async () => {
    const tokens = { ...usage(30, 7), prompt_tokens_details: { cached_tokens: 8 } };
    fake.enqueue(json(chatAnswer({ message: { content: 'Paris.' }, tokens })));

    const { data: msg, response } = await client.messages
      .create({
        model: ALIAS,
        max_tokens: 64,
        system: 'You are terse.',
        messages: [{ role: 'user', content: 'Capital of France?' }],
      })
      .withResponse();

    assert.equal(response.status, 200);
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, ALIAS);
    assert.deepEqual(plain(msg.content), [{ type: 'text', text: 'Paris.' }]);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.stop_sequence, null);
    assert.equal(msg.usage.input_tokens, 30 - 8, 'input_tokens must be prompt_tokens minus cached tokens');
    assert.equal(msg.usage.output_tokens, 7);
    assert.equal(msg.usage.cache_read_input_tokens, 8);
    for (const [name, value] of response.headers) {
      assert.ok(!value.includes(UPSTREAM_KEY), `response header ${name} carries the upstream key`);
    }

    assert.equal(fake.calls, 1);
    const [up] = fake.requests;
    assert.equal(up.method, 'POST');
    assert.equal(up.path, '/v1/chat/completions');
    assert.equal(up.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.equal(up.body.model, UPSTREAM_MODEL);
    assert.equal(up.body.max_tokens, 64);
    assert.deepEqual(up.body.messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Capital of France?' },
    ]);
    assert.ok(!('system' in up.body), 'the Anthropic "system" field was forwarded as is');
    assert.notEqual(up.body.stream, true, 'a non-streamed request was streamed upstream');
    assertNoMasterKey(up);
  });

  it('a tool call round trip: tool_use out, tool_result back in as a tool message', T, async () => {
    const args = '{"city": "Paris", "unit": "celsius"}';
    fake.enqueue(
      json(
        chatAnswer({
          message: { content: null, tool_calls: [toolCall('call_7f3a', 'get_weather', args)] },
          finishReason: 'tool_calls',
          tokens: usage(40, 12),
        }),
      ),
    );

    const question = { role: 'user', content: 'Weather in Paris?' };
    const first = await client.messages.create({
      model: ALIAS,
      max_tokens: 128,
      tools: [WEATHER_TOOL],
      messages: [question],
    });

    assert.equal(first.stop_reason, 'tool_use');
    assert.equal(first.model, ALIAS);
    assert.deepEqual(plain(first.content), [
      { type: 'tool_use', id: 'call_7f3a', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
    ]);
    assert.equal(first.usage.input_tokens, 40);
    assert.equal(first.usage.output_tokens, 12);

    const [up1] = fake.requests;
    assert.equal(up1.path, '/v1/chat/completions');
    assert.equal(up1.body.model, UPSTREAM_MODEL);
    assert.deepEqual(up1.body.tools, [
      {
        type: 'function',
        function: { name: 'get_weather', description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.input_schema },
      },
    ]);
    assert.deepEqual(up1.body.messages, [{ role: 'user', content: 'Weather in Paris?' }]);

    // Second turn: the assistant's tool_use goes back, and the user answers it with a tool_result
    // followed by more text.
    fake.enqueue(json(chatAnswer({ message: { content: 'It is 18°C and sunny in Paris.' }, tokens: usage(60, 9) })));
    const second = await client.messages.create({
      model: ALIAS,
      max_tokens: 128,
      tools: [WEATHER_TOOL],
      messages: [
        question,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_7f3a', content: '18°C, sunny' },
            { type: 'text', text: 'Answer in one sentence.' },
          ],
        },
      ],
    });

    assert.equal(second.stop_reason, 'end_turn');
    assert.deepEqual(plain(second.content), [{ type: 'text', text: 'It is 18°C and sunny in Paris.' }]);

    assert.equal(fake.calls, 2);
    const msgs = fake.requests[1].body.messages;
    assert.equal(msgs.length, 4, `expected user, assistant, tool, user; got ${JSON.stringify(msgs)}`);
    assert.deepEqual(msgs[0], { role: 'user', content: 'Weather in Paris?' });

    const assistant = msgs[1];
    assert.equal(assistant.role, 'assistant');
    assert.equal(chatText(assistant.content), '', 'the assistant turn had no text, yet the chat message carries some');
    assert.equal(assistant.tool_calls?.length, 1, `assistant message without its tool call: ${JSON.stringify(assistant)}`);
    const [call] = assistant.tool_calls;
    assert.equal(call.id, 'call_7f3a');
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.equal(typeof call.function.arguments, 'string');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris', unit: 'celsius' });

    assert.deepEqual(msgs[2], { role: 'tool', tool_call_id: 'call_7f3a', content: '18°C, sunny' });
    assert.equal(msgs[3].role, 'user');
    assert.equal(chatText(msgs[3].content), 'Answer in one sentence.');
  });

  it('finish_reason length becomes stop_reason max_tokens', T, async () => {
    fake.enqueue(json(chatAnswer({ message: { content: 'Once upon a' }, finishReason: 'length', tokens: usage(10, 3) })));

    const msg = await client.messages.create({
      model: ALIAS,
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Tell me a story.' }],
    });

    assert.equal(msg.stop_reason, 'max_tokens');
    assert.deepEqual(plain(msg.content), [{ type: 'text', text: 'Once upon a' }]);
    assert.equal(msg.usage.output_tokens, 3);
    assert.equal(fake.requests[0].body.max_tokens, 3);
  });

  // One upstream answer, told whole (JSON) and in fragments (SSE): the SDK must end up with the
  // same Message either way.
  const scenarios = [
    {
      name: 'text',
      tokens: usage(14, 4),
      finishReason: 'stop',
      message: { content: 'Hello, world!' },
      deltas: [{ content: 'Hel' }, { content: 'lo, ' }, { content: 'wor' }, { content: 'ld!' }],
    },
    {
      name: 'text then a tool call',
      tokens: usage(50, 21),
      finishReason: 'tool_calls',
      message: {
        content: 'Let me check the weather.',
        tool_calls: [toolCall('call_9b2c', 'get_weather', '{"city": "Paris", "unit": "celsius"}')],
      },
      deltas: [
        { content: 'Let me ' },
        { content: 'check the weather.' },
        { tool_calls: [{ index: 0, id: 'call_9b2c', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
        ...['{"ci', 'ty": "Par', 'is", "unit', '": "celsius"}'].map((a) => ({
          tool_calls: [{ index: 0, function: { arguments: a } }],
        })),
      ],
    },
    {
      name: 'reasoning then text',
      tokens: usage(20, 11),
      finishReason: 'stop',
      message: { reasoning_content: 'The user wants a number. 6*7=42.', content: '42' },
      deltas: [
        { reasoning_content: 'The user wants a number. ' },
        { reasoning_content: '6*7=42.' },
        { content: '4' },
        { content: '2' },
      ],
    },
  ];

  for (const s of scenarios) {
    it(`messages.stream finalMessage equals the non-streamed message (${s.name})`, T, async () => {
      const params = {
        model: ALIAS,
        max_tokens: 256,
        tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: `scenario: ${s.name}` }],
      };

      fake.enqueue(json(chatAnswer({ message: s.message, finishReason: s.finishReason, tokens: s.tokens })));
      const whole = await client.messages.create(params);

      fake.enqueue(
        sse([
          chatChunk({ model: UPSTREAM_MODEL, delta: { role: 'assistant', content: '' } }),
          ...s.deltas.map((delta) => chatChunk({ model: UPSTREAM_MODEL, delta })),
          chatChunk({ model: UPSTREAM_MODEL, delta: {}, finishReason: s.finishReason }),
          usageChunk({ model: UPSTREAM_MODEL, tokens: s.tokens }),
        ]),
      );
      const stream = client.messages.stream(params);
      const eventTypes = [];
      stream.on('streamEvent', (event) => eventTypes.push(event.type));
      const streamed = await withTimeout(stream.finalMessage(), 15_000, 'the final streamed message');

      // The non-streamed answer is what the upstream said.
      assert.ok(whole.content.length > 0);
      assert.equal(whole.model, ALIAS);
      assert.equal(whole.usage.output_tokens, s.tokens.completion_tokens);

      assert.deepEqual(plain(streamed.content), plain(whole.content));
      assert.equal(streamed.stop_reason, whole.stop_reason);
      assert.equal(streamed.usage.output_tokens, whole.usage.output_tokens);
      assert.equal(streamed.usage.input_tokens, whole.usage.input_tokens, 'streamed input_tokens differ');
      assert.equal(streamed.model, ALIAS);

      // The Anthropic event grammar.
      assert.equal(eventTypes[0], 'message_start');
      assert.equal(eventTypes.at(-1), 'message_stop');
      assert.equal(eventTypes.at(-2), 'message_delta');
      assert.equal(eventTypes.filter((t) => t === 'content_block_start').length, whole.content.length);
      assert.equal(eventTypes.filter((t) => t === 'content_block_stop').length, whole.content.length);
      assert.ok(eventTypes.includes('content_block_delta'));

      assert.equal(fake.calls, 2);
      const [upWhole, upStream] = fake.requests;
      assert.notEqual(upWhole.body.stream, true);
      assert.equal(upStream.path, '/v1/chat/completions');
      assert.equal(upStream.body.model, UPSTREAM_MODEL);
      assert.equal(upStream.body.stream, true);
      assert.equal(upStream.body.stream_options?.include_usage, true);
      assert.equal(upStream.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
      assert.deepEqual(upStream.body.messages, upWhole.body.messages);
      assertNoMasterKey(upStream);
    });
  }

  it('a wrong key is an AuthenticationError and upstream is never called', T, async () => {
    fake.always(json(chatAnswer({ message: { content: 'must not be served' } })));
    const intruder = new Anthropic({
      baseURL: gw.baseUrl,
      apiKey: 'sk-not-the-master-key',
      authToken: null,
      maxRetries: 0,
      timeout: 15_000,
    });

    await assert.rejects(
      intruder.messages.create({ model: ALIAS, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
      (err) => {
        assert.ok(
          err instanceof Anthropic.AuthenticationError,
          `expected AuthenticationError, got ${err?.constructor?.name}: ${err?.message}`,
        );
        assert.equal(err.status, 401);
        return true;
      },
    );
    assert.equal(fake.calls, 0);
  });
});
