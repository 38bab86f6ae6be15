// Proves that the official SDKs parse gatebench-mock's responses as they parse the real APIs':
// openai (v4) and @anthropic-ai/sdk, streaming and not, plus their error/retry handling.
// Usage: node sdk_clients.js BASE_URL   (run by test_mock_sdk.py, which starts the mock)
'use strict';
const path = require('path');
const assert = require('assert');

const modules = path.join(process.env.GATEBENCH_SOURCE_ROOT || path.join(__dirname, '..', '..', '..'),
                          'tests', 'npm', 'node_modules');
const OpenAI = require(path.join(modules, 'openai'));
const Anthropic = require(path.join(modules, '@anthropic-ai', 'sdk'));

const base = process.argv[2];
const words = (s) => s.split(/\s+/).filter(Boolean).length;
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

async function main() {
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, maxRetries: 0 });
  const messages = [{ role: 'user', content: 'four words of prompt' }];

  await check('openai chat non-stream', async () => {
    const r = await openai.chat.completions.create({ model: 'gpt-test', messages, max_tokens: 7 });
    assert.strictEqual(words(r.choices[0].message.content), 7);
    assert.strictEqual(r.choices[0].finish_reason, 'length');
    assert.deepStrictEqual(r.usage, { prompt_tokens: 4, completion_tokens: 7, total_tokens: 11 });
  });

  await check('openai chat stream with include_usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-test', messages, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage = null;
    let finish = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.choices.length > 0) {
        text += chunk.choices[0].delta.content || '';
        finish = chunk.choices[0].finish_reason || finish;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.strictEqual(words(text), 12);
    assert.strictEqual(finish, 'stop');
    assert.deepStrictEqual(usage, { prompt_tokens: 4, completion_tokens: 12, total_tokens: 16 });
    assert.strictEqual(chunks, 1 + 12 + 1 + 1);
  });

  await check('openai stream helper (runner) final completion', async () => {
    const runner = openai.beta.chat.completions.stream({ model: 'gpt-test', messages, max_tokens: 5 });
    const final = await runner.finalChatCompletion();
    assert.strictEqual(words(final.choices[0].message.content), 5);
  });

  await check('openai tool call stream', async () => {
    const runner = openai.beta.chat.completions.stream({
      model: 'gpt-test', messages, max_tokens: 6, tool_choice: 'required',
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls[0];
    assert.strictEqual(call.function.name, 'lookup');
    assert.strictEqual(words(JSON.parse(call.function.arguments).text), 6);
  });

  await check('openai completions and embeddings (base64 default)', async () => {
    const c = await openai.completions.create({ model: 'gpt-test', prompt: 'a b', max_tokens: 3 });
    assert.strictEqual(words(c.choices[0].text), 3);
    const e = await openai.embeddings.create({ model: 'emb', input: ['x y', 'z'], dimensions: 16 });
    assert.strictEqual(e.data.length, 2);
    assert.strictEqual(e.data[0].embedding.length, 16);
    assert.strictEqual(e.usage.prompt_tokens, 3);
  });

  await check('openai models list', async () => {
    const list = await openai.models.list();
    assert.ok(list.data.length >= 1);
  });

  await check('openai errors: 429 RateLimitError with headers, mid-stream error thrown', async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: 'm', messages }, { headers: { 'x-mock-fault': 'rate_limit' } }),
      (e) => e instanceof OpenAI.RateLimitError && e.status === 429 && e.headers['retry-after-ms'] !== undefined);
    await assert.rejects(
      openai.chat.completions.create({ model: 'm', messages }, { headers: { 'x-mock-fault': 'insufficient_quota' } }),
      (e) => e.status === 429 && e.code === 'insufficient_quota');
    const stream = await openai.chat.completions.create(
      { model: 'm', messages, stream: true }, { headers: { 'x-mock-fault': 'stream_error', 'x-mock-fault-after': '2' } });
    await assert.rejects((async () => { for await (const _ of stream) { /* drain */ } })(),
      (e) => e instanceof OpenAI.APIError);
  });

  await check('openai retries a 503 twice (the mock counts all three)', async () => {
    const count = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/gatebench_mock_faults_injected_total\{kind="http_503"\} (\d+)/.exec(text)[1]);
    };
    const before = await count();
    const retrying = new OpenAI({ apiKey: 'k', baseURL: `${base}/v1`, maxRetries: 2 });
    await assert.rejects(
      retrying.chat.completions.create({ model: 'm', messages }, { headers: { 'x-mock-fault': 'http_503' } }),
      (e) => e.status === 503);
    assert.strictEqual(await count(), before + 3);
  });

  await check('anthropic non-stream', async () => {
    const m = await anthropic.messages.create({ model: 'claude-test', max_tokens: 64, messages, system: 'two words' });
    assert.strictEqual(m.content[0].type, 'text');
    assert.strictEqual(words(m.content[0].text), 12);
    assert.strictEqual(m.stop_reason, 'end_turn');
    assert.strictEqual(m.usage.input_tokens, 6);
    assert.strictEqual(m.usage.output_tokens, 12);
  });

  await check('anthropic stream events and finalMessage', async () => {
    const stream = anthropic.messages.stream({ model: 'claude-test', max_tokens: 5, messages });
    let text = '';
    stream.on('text', (t) => { text += t; });
    const final = await stream.finalMessage();
    assert.strictEqual(words(text), 5);
    assert.strictEqual(final.stop_reason, 'max_tokens');
    assert.strictEqual(final.usage.output_tokens, 5);
    assert.strictEqual(final.usage.input_tokens, 4);
  });

  await check('anthropic raw stream sequence', async () => {
    const stream = await anthropic.messages.create({ model: 'c', max_tokens: 64, messages, stream: true },
                                                   { headers: { 'x-mock-output-tokens': '3' } });
    const types = [];
    for await (const ev of stream) types.push(ev.type);
    assert.deepStrictEqual(types, ['message_start', 'content_block_start', 'content_block_delta',
      'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  await check('anthropic thinking and tool use', async () => {
    const thinking = anthropic.messages.stream({ model: 'c', max_tokens: 64, messages,
      thinking: { type: 'enabled', budget_tokens: 1024 } }, { headers: { 'x-mock-reasoning-tokens': '4' } });
    const t = await thinking.finalMessage();
    assert.deepStrictEqual(t.content.map((b) => b.type), ['thinking', 'text']);
    assert.strictEqual(words(t.content[0].thinking), 4);
    const tool = anthropic.messages.stream({ model: 'c', max_tokens: 64, messages, tool_choice: { type: 'any' },
      tools: [{ name: 'lookup', input_schema: { type: 'object' } }] }, { headers: { 'x-mock-output-tokens': '3' } });
    const u = await tool.finalMessage();
    assert.strictEqual(u.content[0].type, 'tool_use');
    assert.strictEqual(words(u.content[0].input.text), 3);
    assert.strictEqual(u.stop_reason, 'tool_use');
  });

  await check('anthropic errors: 529 overloaded, 429 rate limit, mid-stream error', async () => {
    await assert.rejects(
      anthropic.messages.create({ model: 'c', max_tokens: 8, messages }, { headers: { 'x-mock-fault': 'overloaded' } }),
      (e) => e.status === 529 && e.error.error.type === 'overloaded_error');
    await assert.rejects(
      anthropic.messages.create({ model: 'c', max_tokens: 8, messages }, { headers: { 'x-mock-fault': 'rate_limit' } }),
      (e) => e instanceof Anthropic.RateLimitError);
    const s = anthropic.messages.stream({ model: 'c', max_tokens: 64, messages },
      { headers: { 'x-mock-fault': 'stream_error', 'x-mock-fault-after': '2' } });
    await assert.rejects(s.finalMessage(), (e) => /overloaded/i.test(String(e.message || e)));
  });

  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => { console.log(`not ok - crashed: ${e.stack || e}`); process.exit(1); });
