// The fake upstream of `make soak`: an OpenAI-compatible chat server on 127.0.0.1 whose answer
// is chosen by the last user message, so the load driver can ask for each behaviour:
//   "soak:error500"  → 500 JSON error          "soak:error429" → 429 with Retry-After
//   "soak:drop"      → a stream that breaks after one event (connection dropped)
//   anything else    → a normal answer; streamed (12 content events + usage) when "stream":true
// Prints "port <n>" on stdout once listening; runs until SIGINT/SIGTERM.
#include <csignal>
#include <iostream>

#include "meshgate/core/json.hpp"
#include "support/fake_upstream.hpp"

using namespace meshgate;
using namespace meshgate::testing;

namespace {

std::string completion_json() {
  core::json j = {{"id", "chatcmpl-soak"},
                  {"object", "chat.completion"},
                  {"created", 1},
                  {"model", "openai/gpt-oss-120b"},
                  {"choices", core::json::array({{{"index", 0},
                                                  {"message", {{"role", "assistant"}, {"content", "soak answer"}}},
                                                  {"finish_reason", "stop"}}})},
                  {"usage", {{"prompt_tokens", 12}, {"completion_tokens", 3}, {"total_tokens", 15}}}};
  return j.dump();
}

std::string chunk(const core::json& delta, const core::json& finish) {
  core::json j = {{"id", "chatcmpl-soak"},
                  {"object", "chat.completion.chunk"},
                  {"created", 1},
                  {"model", "openai/gpt-oss-120b"},
                  {"choices", core::json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
  return "data: " + j.dump() + "\n\n";
}

std::string usage_chunk() {
  core::json j = {{"id", "chatcmpl-soak"},
                  {"object", "chat.completion.chunk"},
                  {"created", 1},
                  {"model", "openai/gpt-oss-120b"},
                  {"choices", core::json::array()},
                  {"usage", {{"prompt_tokens", 12}, {"completion_tokens", 12}, {"total_tokens", 24}}}};
  return "data: " + j.dump() + "\n\n";
}

reply stream_reply(bool drop) {
  std::vector<step> steps;
  steps.push_back(step::send(chunk({{"role", "assistant"}, {"content", ""}}, nullptr)));
  if (drop) {
    steps.push_back(step::send(chunk({{"content", "partial"}}, nullptr)));
    steps.push_back(step::drop());
    return reply::sse(std::move(steps));
  }
  for (int i = 0; i < 12; ++i) steps.push_back(step::send(chunk({{"content", "tok" + std::to_string(i) + " "}}, nullptr)));
  steps.push_back(step::send(chunk(core::json::object(), "stop")));
  steps.push_back(step::send(usage_chunk()));
  steps.push_back(step::send("data: [DONE]\n\n"));
  return reply::sse(std::move(steps));
}

reply answer(const recorded_request& r) {
  const auto body = core::json::parse(r.body, nullptr, false);
  std::string last;
  bool stream = false;
  if (body.is_object()) {
    stream = body.value("stream", false);
    if (auto m = body.find("messages"); m != body.end() && m->is_array() && !m->empty()) {
      const auto& c = m->back()["content"];
      if (c.is_string()) last = c.get<std::string>();
    }
  }
  if (last == "soak:error500") return reply::json(500, R"({"error":{"message":"soak: internal error","type":"server_error"}})");
  if (last == "soak:error429") {
    reply rr = reply::json(429, R"({"error":{"message":"soak: rate limited","type":"rate_limit_error"}})");
    rr.headers.emplace_back("retry-after", "1");
    return rr;
  }
  if (stream) return stream_reply(last == "soak:drop");
  return reply::json(200, completion_json());
}

}  // namespace

int main() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the server thread starts: it inherits the mask

  fake_upstream up(answer);
  up.set_recording(false);
  std::cout << "port " << up.port() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  std::cout << "requests " << up.request_count() << std::endl;
  return 0;
}
