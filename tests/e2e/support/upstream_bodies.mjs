// Response bodies shaped like the ones vLLM (Tensormesh) sends, for scripting the fake upstream.
// `model` is always the upstream id, so tests can check the gateway restamps it to the alias.

const CREATED = 1_767_000_000;

export function usage(prompt = 12, completion = 5) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function chatCompletion({ model, content, id = 'chatcmpl-fake-1', finishReason = 'stop', tokens = usage() }) {
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, tool_calls: [] },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: tokens,
  };
}

export function chatChunk({ model, delta = {}, finishReason = null, id = 'chatcmpl-fake-stream' }) {
  return {
    id,
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

// The last chunk vLLM sends when stream_options.include_usage is set: no choices, only usage.
export function usageChunk({ model, tokens = usage(), id = 'chatcmpl-fake-stream' }) {
  return { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage: tokens };
}

export function textCompletion({ model, text, id = 'cmpl-fake-1', finishReason = 'length', tokens = usage() }) {
  return {
    id,
    object: 'text_completion',
    created: CREATED,
    model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    usage: tokens,
  };
}

export function textChunk({ model, text, finishReason = null, id = 'cmpl-fake-stream' }) {
  return {
    id,
    object: 'text_completion',
    created: CREATED,
    model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
  };
}

export function textUsageChunk({ model, tokens = usage(), id = 'cmpl-fake-stream' }) {
  return { id, object: 'text_completion', created: CREATED, model, choices: [], usage: tokens };
}
