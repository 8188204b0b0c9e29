// Split-point grind: every realistic transcript must give the same events however the bytes
// are cut into feeds — whole, at every single position, byte by byte, in random chunks — and
// the CJK and emoji in them must come out byte-exact.
#include <catch2/catch.hpp>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "meshgate/sse/parser.hpp"

namespace sse = meshgate::sse;
using sse::event;
using sse::feed_status;
using namespace std::string_view_literals;

namespace {

// Spelled as bytes so the comparison does not depend on how this file's literals are decoded;
// the static_asserts tie them to the readable forms.
constexpr std::string_view hello_world = "\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C";
constexpr std::string_view wave_medium_skin = "\xF0\x9F\x91\x8B\xF0\x9F\x8F\xBD";
constexpr std::string_view flag_japan = "\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5";
constexpr std::string_view tokyo = "\xE6\x9D\xB1\xE4\xBA\xAC";
constexpr std::string_view family_zwj =
    "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\xE2\x80\x8D\xF0\x9F\x91\xA6";
static_assert(hello_world == "你好，世界"sv);
static_assert(wave_medium_skin == "👋🏽"sv);
static_assert(flag_japan == "🇯🇵"sv);
static_assert(tokyo == "東京"sv);
static_assert(family_zwj == "👨‍👩‍👧‍👦"sv);

std::string read_fixture(std::string_view name) {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
                    "fixtures" / "sse" / name;
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot open fixture " << path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string describe(const event& e) {
  return "{type=\"" + e.type + "\" data=\"" + e.data + "\" id=\"" + e.id + "\"}";
}

std::string first_difference(const std::vector<event>& got, const std::vector<event>& want) {
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    if (!(got[i] == want[i])) return "event " + std::to_string(i) + ": got " + describe(got[i]) + ", want " + describe(want[i]);
  }
  return "got " + std::to_string(got.size()) + " events, want " + std::to_string(want.size());
}

// Feeds `chunks` in order; the stream must end cleanly.
template <typename Chunks>
std::vector<event> feed_all(const Chunks& chunks) {
  sse::parser p;
  std::vector<event> out;
  for (std::string_view chunk : chunks) {
    if (p.feed(chunk, out) != feed_status::ok) FAIL("feed failed");
  }
  if (p.has_partial()) FAIL("stream ended with a partial event");
  return out;
}

void require_same(const std::vector<event>& got, const std::vector<event>& want, const std::string& how) {
  if (got != want) FAIL(how << ": " << first_difference(got, want));
}

// The grind itself; `whole` is what one feed of the stream gave.
void grind(std::string_view stream, const std::vector<event>& whole) {
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    const std::string_view halves[] = {stream.substr(0, i), stream.substr(i)};
    require_same(feed_all(halves), whole, "split at byte " + std::to_string(i));
  }

  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
  require_same(feed_all(bytes), whole, "byte by byte");

  for (unsigned seed = 1; seed <= 64; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> size(0, 48);  // 0: empty feeds happen too
    std::vector<std::string_view> chunks;
    for (std::size_t pos = 0; pos < stream.size();) {
      const std::size_t n = std::min(size(rng), stream.size() - pos);
      chunks.push_back(stream.substr(pos, n));
      pos += n;
    }
    require_same(feed_all(chunks), whole, "random chunks, seed " + std::to_string(seed));
  }
}

std::vector<event> feed_whole(std::string_view stream) {
  const std::string_view one[] = {stream};
  return feed_all(one);
}

std::string joined_data(const std::vector<event>& events) {
  std::string all;
  for (const auto& e : events) all += e.data;
  return all;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// The text an OpenAI client assembles from the chunk deltas.
struct openai_text {
  std::string reasoning;
  std::string content;
  std::string tool_name;
  std::string tool_arguments;
};

openai_text assemble_openai(const std::vector<event>& events) {
  openai_text text;
  for (const auto& e : events) {
    if (e.data == "[DONE]") break;
    const auto chunk = nlohmann::json::parse(e.data);
    if (chunk["choices"].empty()) continue;
    const auto& delta = chunk["choices"][0]["delta"];
    text.reasoning += delta.value("reasoning_content", "");
    text.content += delta.value("content", "");
    if (delta.contains("tool_calls")) {
      const auto& function = delta["tool_calls"][0]["function"];
      text.tool_name += function.value("name", "");
      text.tool_arguments += function.value("arguments", "");
    }
  }
  return text;
}

}  // namespace

TEST_CASE("sse: OpenAI chat stream with reasoning, tool calls, CJK and emoji survives every split") {
  const std::string stream = read_fixture("openai_chat_reasoning_tools.sse");
  const auto whole = feed_whole(stream);

  REQUIRE(whole.size() == 19);
  for (const auto& e : whole) {
    CHECK(e.type.empty());
    CHECK(e.id.empty());
  }
  CHECK(whole.back().data == "[DONE]");
  const auto usage_chunk = nlohmann::json::parse(whole[17].data);
  CHECK(usage_chunk["choices"].empty());
  CHECK(usage_chunk["usage"]["completion_tokens"] == 64);

  const std::string all = joined_data(whole);
  CHECK(all.find(hello_world) != std::string::npos);
  CHECK(all.find(wave_medium_skin) != std::string::npos);
  CHECK(all.find(flag_japan) != std::string::npos);

  const auto text = assemble_openai(whole);
  CHECK(text.reasoning == "The user greets in Chinese: " + std::string(hello_world) + ". I should answer warmly " +
                              std::string(wave_medium_skin) + " and check the weather in " + std::string(tokyo) +
                              " " + std::string(flag_japan) + ".");
  CHECK(text.content == std::string(hello_world) + "\xEF\xBC\x81" + std::string(wave_medium_skin) +
                            " Let me check the weather in Tokyo " + std::string(flag_japan) + " for you.");
  CHECK(text.tool_name == "get_weather");
  CHECK(text.tool_arguments == "{\"location\": \"" + std::string(tokyo) + "\", \"unit\": \"celsius\"}");

  grind(stream, whole);
}

TEST_CASE("sse: vLLM chat stream with CRLF line ends and keep-alive comments survives every split") {
  const std::string stream = read_fixture("vllm_chat_keepalive_crlf.sse");
  // Guard against the fixture losing its line ends (it is marked -text in .gitattributes).
  REQUIRE(stream.find("\r\n") != std::string::npos);
  REQUIRE(replace_all(stream, "\r\n", "").find('\n') == std::string::npos);

  const auto whole = feed_whole(stream);
  REQUIRE(whole.size() == 7);
  CHECK(whole.back().data == "[DONE]");
  for (const auto& e : whole) CHECK(e.data.find('\r') == std::string::npos);

  const auto text = assemble_openai(whole);
  CHECK(text.content ==
        "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\xEF\xBC\x81" + std::string(hello_world) +
            " \xF0\x9F\x8C\xB8 " + std::string(family_zwj) + " " + std::string(wave_medium_skin) + " " +
            std::string(flag_japan) + " \xEC\x95\x88\xEB\x85\x95\xED\x95\x98\xEC\x84\xB8\xEC\x9A\x94");
  const auto last_chunk = nlohmann::json::parse(whole[5].data);
  CHECK(last_chunk["choices"][0]["finish_reason"] == "stop");
  CHECK(last_chunk["usage"]["total_tokens"] == 43);

  // The same stream with LF or bare CR line ends gives the same events.
  CHECK(feed_whole(replace_all(stream, "\r\n", "\n")) == whole);
  CHECK(feed_whole(replace_all(stream, "\r\n", "\r")) == whole);

  grind(stream, whole);
}

TEST_CASE("sse: Anthropic messages stream with event lines survives every split") {
  const std::string stream = read_fixture("anthropic_messages_stream.sse");
  const auto whole = feed_whole(stream);

  REQUIRE(whole.size() == 19);
  std::string thinking, text, partial_json;
  for (const auto& e : whole) {
    const auto payload = nlohmann::json::parse(e.data);
    CHECK(e.type == payload["type"].get<std::string>());
    if (e.type != "content_block_delta") continue;
    const auto& delta = payload["delta"];
    thinking += delta.value("thinking", "");
    text += delta.value("text", "");
    partial_json += delta.value("partial_json", "");
  }
  CHECK(whole.front().type == "message_start");
  CHECK(whole[1].type == "ping");
  CHECK(whole.back().type == "message_stop");

  CHECK(thinking ==
        "\xE3\x83\xA6\xE3\x83\xBC\xE3\x82\xB6\xE3\x83\xBC\xE3\x81\xAF" + std::string(tokyo) +
            "\xE3\x81\xAE\xE5\xA4\xA9\xE6\xB0\x97\xE3\x82\x92\xE7\x9F\xA5\xE3\x82\x8A\xE3\x81\x9F\xE3\x81\x84 "
            "\xF0\x9F\xA4\x94");
  CHECK(text == std::string(hello_world) + "\xEF\xBC\x81 " + std::string(tokyo) +
                    "\xE3\x81\xAE\xE5\xA4\xA9\xE6\xB0\x97\xE3\x82\x92\xE8\xAA\xBF\xE3\x81\xB9\xE3\x81\xBE\xE3\x81\x99 " +
                    std::string(wave_medium_skin) + std::string(flag_japan));
  CHECK(partial_json == "{\"city\": \"" + std::string(tokyo) + "\", \"unit\": \"celsius\"}");
  CHECK(nlohmann::json::parse(partial_json)["city"] == std::string(tokyo));

  grind(stream, whole);
}

TEST_CASE("sse: all transcripts back to back after a BOM survive every split") {
  const std::string openai = read_fixture("openai_chat_reasoning_tools.sse");
  const std::string vllm = read_fixture("vllm_chat_keepalive_crlf.sse");
  const std::string anthropic = read_fixture("anthropic_messages_stream.sse");
  const std::string stream = "\xEF\xBB\xBF" + openai + vllm + anthropic;

  const auto whole = feed_whole(stream);
  std::vector<event> expected = feed_whole(openai);
  for (const auto* part : {&vllm, &anthropic}) {
    const auto events = feed_whole(*part);
    expected.insert(expected.end(), events.begin(), events.end());
  }
  REQUIRE(expected.size() == 19 + 7 + 19);
  require_same(whole, expected, "back to back");

  grind(stream, whole);
}
