"""gatebench-mock endpoints in every mode, checked against shared/design/wire-formats.md."""

import base64
import json
import os
import struct
import subprocess
import tempfile
import unittest

from mock_harness import Mock, anthropic_body, chat_body, run_tests, sse_events


def words(text):
    return len(text.split())


class OpenAIChat(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock("--output-tokens", "12", "--seed", "7").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_non_stream_shape_and_usage(self):
        r = self.mock.post("/v1/chat/completions", chat_body("one two three four"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "application/json")
        self.assertTrue(r.headers["x-request-id"].startswith("req_"))
        b = r.json()
        self.assertTrue(b["id"].startswith("chatcmpl-"))
        self.assertEqual(b["object"], "chat.completion")
        self.assertEqual(b["model"], "test-model")
        self.assertIsInstance(b["created"], int)
        ch = b["choices"][0]
        self.assertEqual(ch["message"]["role"], "assistant")
        self.assertEqual(ch["finish_reason"], "stop")
        self.assertEqual(words(ch["message"]["content"]), 12)
        self.assertEqual(b["usage"], {"prompt_tokens": 4, "completion_tokens": 12, "total_tokens": 16})

    def check_stream(self, include_usage):
        body = chat_body("a b c", stream=True)
        if include_usage:
            body["stream_options"] = {"include_usage": True}
        r = self.mock.post("/v1/chat/completions", body)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers["content-type"], "text/event-stream; charset=utf-8")
        self.assertEqual(r.headers["cache-control"], "no-cache")
        self.assertEqual(r.headers["transfer-encoding"], "chunked")
        self.assertNotIn("content-length", r.headers)
        evs = sse_events(r.body)
        self.assertTrue(all(name is None for name, _ in evs), "OpenAI streams have no event: lines")
        self.assertEqual(evs[-1][1], "[DONE]")
        chunks = [json.loads(d) for _, d in evs[:-1]]
        ids = {c["id"] for c in chunks}
        created = {c["created"] for c in chunks}
        self.assertEqual(len(ids), 1)
        self.assertEqual(len(created), 1)
        for c in chunks:
            self.assertEqual(c["object"], "chat.completion.chunk")
            if include_usage:
                self.assertIn("usage", c)
            else:
                self.assertNotIn("usage", c)
        self.assertEqual(chunks[0]["choices"][0]["delta"], {"role": "assistant", "content": ""})
        content_chunks = chunks[1:-2] if include_usage else chunks[1:-1]
        text = ""
        for c in content_chunks:
            self.assertEqual(set(c["choices"][0]["delta"]), {"content"})
            self.assertIsNone(c["choices"][0]["finish_reason"])
            if include_usage:
                self.assertIsNone(c["usage"])
            text += c["choices"][0]["delta"]["content"]
        self.assertEqual(len(content_chunks), 12)
        self.assertEqual(words(text), 12)
        final = chunks[-2] if include_usage else chunks[-1]
        self.assertEqual(final["choices"][0]["delta"], {})
        self.assertEqual(final["choices"][0]["finish_reason"], "stop")
        if include_usage:
            self.assertIsNone(final["usage"])
            u = chunks[-1]
            self.assertEqual(u["choices"], [])
            self.assertEqual(u["usage"], {"prompt_tokens": 3, "completion_tokens": 12, "total_tokens": 15})
        return text

    def test_stream_without_usage(self):
        self.check_stream(False)

    def test_stream_with_include_usage(self):
        self.check_stream(True)

    def test_deterministic_for_seed_and_request(self):
        a = self.mock.post("/v1/chat/completions", chat_body("same prompt")).json()
        b = self.mock.post("/v1/chat/completions", chat_body("same prompt")).json()
        c = self.mock.post("/v1/chat/completions", chat_body("same prompt"), {"x-mock-seed": "99"}).json()
        self.assertEqual(a["choices"][0]["message"]["content"], b["choices"][0]["message"]["content"])
        self.assertNotEqual(a["choices"][0]["message"]["content"], c["choices"][0]["message"]["content"])
        self.assertNotEqual(a["id"], b["id"])
        s = self.check_stream(False)
        self.assertEqual(s, self.check_stream(False))

    def test_stream_text_equals_non_stream_text(self):
        body = chat_body("x y", max_tokens=50)
        ns = self.mock.post("/v1/chat/completions", body).json()["choices"][0]["message"]["content"]
        body2 = dict(body, stream=True)
        # The stream body differs by the stream flag, so compare with an explicit seed key.
        r = self.mock.post("/v1/chat/completions", body2)
        text = "".join(json.loads(d)["choices"][0]["delta"].get("content", "")
                       for _, d in sse_events(r.body)[:-1] if json.loads(d)["choices"])
        self.assertEqual(words(text), words(ns))

    def test_length_rules(self):
        cases = [
            # (body extras, headers, expected tokens, finish_reason)
            ({"max_tokens": 5}, {}, 5, "length"),
            ({"max_completion_tokens": 4, "max_tokens": 9}, {}, 4, "length"),
            ({"max_tokens": 100}, {}, 12, "stop"),
            ({"max_tokens": 100, "ignore_eos": True}, {}, 100, "length"),
            ({"min_tokens": 20}, {}, 20, "stop"),
            ({}, {"x-mock-output-tokens": "3"}, 3, "stop"),
            ({"max_tokens": 2}, {"x-mock-output-tokens": "30"}, 2, "length"),
        ]
        for extra, headers, n, fin in cases:
            with self.subTest(extra=extra, headers=headers):
                b = self.mock.post("/v1/chat/completions", chat_body(**extra), headers).json()
                self.assertEqual(words(b["choices"][0]["message"]["content"]), n)
                self.assertEqual(b["usage"]["completion_tokens"], n)
                self.assertEqual(b["choices"][0]["finish_reason"], fin)

    def test_tokens_per_event(self):
        r = self.mock.post("/v1/chat/completions", chat_body(stream=True, max_tokens=10),
                           {"x-mock-tokens-per-event": "4"})
        chunks = [json.loads(d) for _, d in sse_events(r.body)[:-1]]
        contents = [c["choices"][0]["delta"]["content"] for c in chunks[1:-1]]
        self.assertEqual([words(c) for c in contents], [4, 4, 2])

    def test_tool_call_stream_and_body(self):
        tools = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
        body = chat_body(tools=tools, tool_choice="required", max_tokens=6)
        b = self.mock.post("/v1/chat/completions", body).json()
        call = b["choices"][0]["message"]["tool_calls"][0]
        self.assertEqual(call["function"]["name"], "lookup")
        self.assertEqual(words(json.loads(call["function"]["arguments"])["text"]), 6)
        r = self.mock.post("/v1/chat/completions", dict(body, stream=True))
        chunks = [json.loads(d) for _, d in sse_events(r.body)[:-1]]
        args = ""
        for c in chunks[1:-1]:
            tc = c["choices"][0]["delta"]["tool_calls"][0]
            args += tc["function"]["arguments"]
        first = chunks[1]["choices"][0]["delta"]["tool_calls"][0]
        self.assertTrue(first["id"].startswith("call_"))
        self.assertEqual(first["function"]["name"], "lookup")
        self.assertEqual(chunks[0]["choices"][0]["delta"]["role"], "assistant")
        self.assertEqual(words(json.loads(args)["text"]), 6)
        self.assertEqual(chunks[-1]["choices"][0]["finish_reason"], "length")

    def test_reasoning_deltas(self):
        r = self.mock.post("/v1/chat/completions",
                           chat_body(stream=True, stream_options={"include_usage": True}),
                           {"x-mock-reasoning-tokens": "5", "x-mock-output-tokens": "3"})
        chunks = [json.loads(d) for _, d in sse_events(r.body)[:-1]]
        deltas = [c["choices"][0]["delta"] for c in chunks[1:-2]]
        self.assertEqual([list(d) for d in deltas], [["reasoning_content"]] * 5 + [["content"]] * 3)
        u = chunks[-1]["usage"]
        self.assertEqual(u["completion_tokens"], 8)
        self.assertEqual(u["completion_tokens_details"], {"reasoning_tokens": 5})

    def test_content_parts_count_as_prompt(self):
        msgs = [{"role": "system", "content": "be brief"},
                {"role": "user", "content": [{"type": "text", "text": "one two"},
                                             {"type": "image_url", "image_url": {"url": "x"}}]}]
        b = self.mock.post("/v1/chat/completions", {"model": "m", "messages": msgs}).json()
        self.assertEqual(b["usage"]["prompt_tokens"], 4)


class OtherOpenAIEndpoints(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock("--output-tokens", "7", "--embedding-dim", "8", "--model", "a",
                        "--model", "b").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_completions(self):
        b = self.mock.post("/v1/completions", {"model": "m", "prompt": "say hi now"}).json()
        self.assertEqual(b["object"], "text_completion")
        self.assertEqual(words(b["choices"][0]["text"]), 7)
        self.assertEqual(b["usage"]["prompt_tokens"], 3)
        r = self.mock.post("/v1/completions", {"model": "m", "prompt": ["a b", "c"], "stream": True,
                                               "stream_options": {"include_usage": True}})
        evs = sse_events(r.body)
        self.assertEqual(evs[-1][1], "[DONE]")
        chunks = [json.loads(d) for _, d in evs[:-1]]
        text = "".join(c["choices"][0]["text"] for c in chunks[:-2])
        self.assertEqual(words(text), 7)
        self.assertEqual(chunks[-2]["choices"][0]["finish_reason"], "stop")
        self.assertEqual(chunks[-1]["usage"]["prompt_tokens"], 3)

    def test_embeddings(self):
        b = self.mock.post("/v1/embeddings", {"model": "e", "input": ["a b c", "d"]}).json()
        self.assertEqual(len(b["data"]), 2)
        self.assertEqual([d["index"] for d in b["data"]], [0, 1])
        self.assertEqual(len(b["data"][0]["embedding"]), 8)
        self.assertEqual(b["usage"], {"prompt_tokens": 4, "total_tokens": 4})
        b2 = self.mock.post("/v1/embeddings", {"model": "e", "input": "x", "dimensions": 5,
                                               "encoding_format": "base64"}).json()
        raw = base64.b64decode(b2["data"][0]["embedding"])
        vec = struct.unpack("<5f", raw)
        self.assertTrue(all(-1 <= v <= 1 for v in vec))

    def test_models(self):
        b = self.mock.request("GET", "/v1/models").json()
        self.assertEqual([m["id"] for m in b["data"]], ["a", "b"])

    def test_healthz_and_metrics(self):
        self.assertEqual(self.mock.request("GET", "/healthz").json(), {"status": "ok"})
        self.mock.post("/v1/chat/completions", chat_body(stream=True))
        m = self.mock.metrics()
        self.assertGreaterEqual(m['gatebench_mock_requests_total{route="/healthz",status="200"}'], 1)
        self.assertGreaterEqual(m["gatebench_mock_events_sent_total"], 10)
        self.assertGreaterEqual(m["gatebench_mock_tokens_sent_total"], 7)
        self.assertEqual(m["gatebench_mock_active_streams"], 0)


class Anthropic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock("--output-tokens", "9").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_non_stream(self):
        r = self.mock.post("/v1/messages", anthropic_body("hi you"), {"anthropic-version": "2023-06-01"})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["request-id"].startswith("req_"))
        b = r.json()
        self.assertTrue(b["id"].startswith("msg_"))
        self.assertEqual(b["type"], "message")
        self.assertEqual(b["role"], "assistant")
        self.assertEqual(b["content"][0]["type"], "text")
        self.assertEqual(words(b["content"][0]["text"]), 9)
        self.assertEqual(b["stop_reason"], "end_turn")
        self.assertIsNone(b["stop_sequence"])
        self.assertEqual(b["usage"], {"input_tokens": 2, "output_tokens": 9})

    def test_stream_full_sequence(self):
        r = self.mock.post("/v1/messages", anthropic_body("a b c", stream=True, system="sys words"))
        evs = sse_events(r.body)
        names = [n for n, _ in evs]
        self.assertNotIn("[DONE]", [d for _, d in evs])
        self.assertEqual(names[:3], ["message_start", "content_block_start", "ping"])
        self.assertEqual(names[3:-3], ["content_block_delta"] * 9)
        self.assertEqual(names[-3:], ["content_block_stop", "message_delta", "message_stop"])
        datas = [json.loads(d) for _, d in evs]
        for (name, _), d in zip(evs, datas):
            self.assertEqual(d["type"], name, "event: equals the data's type")
        start = datas[0]["message"]
        self.assertEqual(start["content"], [])
        self.assertEqual(start["usage"], {"input_tokens": 5, "output_tokens": 1})
        text = "".join(d["delta"]["text"] for d in datas[3:-3])
        self.assertEqual(words(text), 9)
        md = datas[-2]
        self.assertEqual(md["delta"], {"stop_reason": "end_turn", "stop_sequence": None})
        self.assertEqual(md["usage"], {"output_tokens": 9})

    def test_max_tokens_stop_reason(self):
        b = self.mock.post("/v1/messages", anthropic_body(max_tokens=4)).json()
        self.assertEqual(b["stop_reason"], "max_tokens")
        self.assertEqual(b["usage"]["output_tokens"], 4)

    def test_thinking_and_tool_use(self):
        r = self.mock.post("/v1/messages", anthropic_body(stream=True, thinking={"type": "enabled", "budget_tokens": 1024}),
                           {"x-mock-reasoning-tokens": "3", "x-mock-output-tokens": "2"})
        datas = [json.loads(d) for _, d in sse_events(r.body)]
        kinds = [d["delta"]["type"] for d in datas if d["type"] == "content_block_delta"]
        self.assertEqual(kinds, ["thinking_delta"] * 3 + ["signature_delta"] + ["text_delta"] * 2)
        self.assertEqual(datas[-2]["usage"]["output_tokens"], 5)
        tools = [{"name": "lookup", "input_schema": {"type": "object"}}]
        r = self.mock.post("/v1/messages", anthropic_body(stream=True, tools=tools, tool_choice={"type": "any"}),
                           {"x-mock-output-tokens": "4"})
        datas = [json.loads(d) for _, d in sse_events(r.body)]
        self.assertEqual(datas[1]["content_block"]["type"], "tool_use")
        pj = "".join(d["delta"]["partial_json"] for d in datas if d["type"] == "content_block_delta")
        self.assertEqual(words(json.loads(pj)["text"]), 4)
        self.assertEqual(datas[-2]["delta"]["stop_reason"], "tool_use")


class ConfigAndLog(unittest.TestCase):
    def test_config_file_and_request_log_redaction(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "req.jsonl")
            cfg = os.path.join(d, "mock.yaml")
            with open(cfg, "w") as f:
                f.write(f"output_tokens: 4\nrequest_log: {log}\nfaults:\n  http_500: 0%\nmodels: [x1, x2]\n")
            with Mock("--config", cfg) as m:
                secret = "sk-SENTINEL-1234567890"
                body = chat_body("log me please")
                r = m.post("/v1/chat/completions", body, {"Authorization": f"Bearer {secret}",
                                                          "x-api-key": secret, "My-Token": secret,
                                                          "X-Trace": "visible"})
                self.assertEqual(words(r.json()["choices"][0]["message"]["content"]), 4)
                self.assertEqual([x["id"] for x in m.request("GET", "/v1/models").json()["data"]], ["x1", "x2"])
            with open(log) as f:
                text = f.read()
            self.assertNotIn("SENTINEL", text)
            first = json.loads(text.splitlines()[0])
            self.assertEqual(first["method"], "POST")
            self.assertEqual(first["path"], "/v1/chat/completions")
            self.assertEqual(first["body"], body)
            self.assertEqual(first["headers"]["authorization"], "[REDACTED]")
            self.assertEqual(first["headers"]["x-api-key"], "[REDACTED]")
            self.assertEqual(first["headers"]["my-token"], "[REDACTED]")
            self.assertEqual(first["headers"]["x-trace"], "visible")

    def test_bad_config_exit_104(self):
        for args in (["--ttft", "fast"], ["--fault", "bogus=1%"], ["--fault", "http_500=150%"],
                     ["--tls-cert", "/nonexistent"], ["--listen", "nohostport"]):
            with self.subTest(args=args):
                p = subprocess.run([Mock("x").args[0], "--listen", "127.0.0.1:0", *args],
                                   capture_output=True, timeout=10)
                self.assertEqual(p.returncode, 104, p.stderr)
                self.assertIn(b"gatebench-mock:", p.stderr)


class Threads(unittest.TestCase):
    def test_two_threads_share_the_port_and_sum_metrics(self):
        import signal
        with Mock("--threads", "2", "--output-tokens", "3", "--fault", "http_500=50%") as m:
            statuses = [m.post("/v1/chat/completions", chat_body(f"t{i}")).status for i in range(60)]
            mt = m.metrics()
            ok = mt.get('gatebench_mock_requests_total{route="/v1/chat/completions",status="200"}', 0)
            err = mt.get('gatebench_mock_requests_total{route="/v1/chat/completions",status="500"}', 0)
            self.assertEqual(ok, statuses.count(200))
            self.assertEqual(err, statuses.count(500))
            self.assertEqual(m.fault_count("http_500"), statuses.count(500))
            self.assertGreater(statuses.count(500), 10)
            self.assertGreater(statuses.count(200), 10)
            self.assertEqual(m.stop(signal.SIGTERM), 0)


class Tls(unittest.TestCase):
    def test_tls_stream(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                            "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True, timeout=60)
            with Mock("--tls-cert", cert, "--tls-key", key, "--output-tokens", "5", tls=cert) as m:
                self.assertEqual(m.scheme, "https")
                r = m.post("/v1/chat/completions", chat_body(stream=True))
                evs = sse_events(r.body)
                self.assertEqual(evs[-1][1], "[DONE]")
                self.assertEqual(len(evs), 1 + 5 + 1 + 1)
                r = m.post("/v1/messages", anthropic_body())
                self.assertEqual(r.json()["usage"]["output_tokens"], 5)


if __name__ == "__main__":
    run_tests()
