#include "meshgate/usage/pricing.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

namespace meshgate::usage {

namespace {

// 128 bits hold any token count (< 2^63) times any price (< 2^63), three times over.
__extension__ typedef unsigned __int128 u128;

constexpr int atto_digits = 18;  // 1 USD = 10^18 atto-dollars

// --- decimal text → atto-dollars ----------------------------------------------------------

// `digits` (no leading zeros) × 10^scale as atto-dollars, half-up; nullopt above max_price_atto.
std::optional<std::int64_t> scale_digits(std::string_view digits, long scale) {
  if (digits.empty()) return 0;
  long keep = static_cast<long>(digits.size()) + scale;  // digits left of the atto point
  if (keep > 19) return std::nullopt;                     // ≥ 10^19 > INT64_MAX
  u128 v = 0;
  for (long i = 0; i < keep; ++i) {
    int d = i < static_cast<long>(digits.size()) ? digits[static_cast<std::size_t>(i)] - '0' : 0;
    v = v * 10 + static_cast<unsigned>(d);
  }
  if (keep >= 0 && keep < static_cast<long>(digits.size()) && digits[static_cast<std::size_t>(keep)] >= '5') v += 1;
  if (v > static_cast<u128>(max_price_atto)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

// --- the cost as a double --------------------------------------------------------------------

// Correctly rounded `atto` / 10^18: from_chars on the exact decimal text rounds once, where
// converting the integer and then dividing could round twice.
double atto_to_usd(u128 atto) {
  std::array<char, 48> buf{};
  std::size_t n = buf.size() - 4;
  buf[n] = 'e';
  buf[n + 1] = '-';
  buf[n + 2] = '1';
  buf[n + 3] = '8';
  std::size_t begin = n;
  do {
    buf[--begin] = static_cast<char>('0' + static_cast<int>(atto % 10));
    atto /= 10;
  } while (atto != 0);
  double out = 0;
  std::from_chars(buf.data() + begin, buf.data() + buf.size(), out);
  return out;
}

u128 count(const std::optional<std::int64_t>& n) { return n && *n > 0 ? static_cast<u128>(*n) : 0; }

// --- reading a LiteLLM-layout price file ------------------------------------------------------

constexpr std::size_t max_file_bytes = 64u << 20;

enum field_bit : unsigned { f_input = 1, f_output = 2, f_cache = 4, f_max_in = 8, f_max_out = 16 };

// Streams the JSON through nlohmann's SAX interface, which hands over each number's original
// text: prices are parsed from what the file says, not from the double it would become.
class table_reader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::map<std::string, model_price, std::less<>> entries;
  std::string error;

  bool null() override { return scalar(value_kind::null, {}, 0); }
  bool boolean(bool) override { return scalar(value_kind::other, {}, 0); }
  bool number_integer(number_integer_t v) override {
    if (v < 0) return scalar(value_kind::negative, {}, 0);
    return scalar(value_kind::integer, {}, static_cast<std::uint64_t>(v));
  }
  bool number_unsigned(number_unsigned_t v) override { return scalar(value_kind::integer, {}, v); }
  bool number_float(number_float_t, const string_t& text) override { return scalar(value_kind::decimal, text, 0); }
  bool string(string_t& s) override { return scalar(value_kind::text, s, 0); }
  bool binary(binary_t&) override { return scalar(value_kind::other, {}, 0); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (depth_ == 1) {
      depth_ = 2;
      current_ = model_price{};
      seen_ = 0;
      return true;
    }
    return open_nested();
  }
  bool end_object() override {
    if (depth_ == 2) {
      depth_ = 1;
      return finish_entry();
    }
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    if (depth_ < 2) return fail(depth_ == 0 ? "the top level must be a JSON object" : entry_name() + ": must be an object");
    return open_nested();
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      if (entries.count(k) != 0) return fail(entry_name(k) + ": appears twice");
      model_ = k;
    } else if (depth_ == 2) {
      field_ = k;
    }
    return true;
  }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception&) override {
    if (error.empty()) error = "invalid JSON at byte " + std::to_string(byte);
    return false;
  }

 private:
  enum class value_kind { null, integer, negative, decimal, text, other };

  std::size_t depth_ = 0;  // 1: inside the top object, 2: inside an entry, deeper: skipped
  std::string model_, field_;
  model_price current_;
  unsigned seen_ = 0;

  static std::string entry_name(std::string_view k) { return "entry \"" + std::string(k) + "\""; }
  std::string entry_name() const { return entry_name(model_); }
  std::string where() const { return entry_name() + ": " + field_; }

  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }

  // A container as a field value: fine for fields we ignore, a type error for ours.
  bool open_nested() {
    if (depth_ == 2 && field_bit_of(field_) != 0) return scalar(value_kind::other, {}, 0);
    ++depth_;
    return true;
  }

  static unsigned field_bit_of(std::string_view f) {
    if (f == "input_cost_per_token") return f_input;
    if (f == "output_cost_per_token") return f_output;
    if (f == "cache_read_input_token_cost") return f_cache;
    if (f == "max_input_tokens") return f_max_in;
    if (f == "max_output_tokens") return f_max_out;
    return 0;
  }

  bool scalar(value_kind kind, std::string_view text, std::uint64_t integer) {
    if (depth_ == 0) return fail("the top level must be a JSON object");
    if (depth_ == 1) return fail(entry_name() + ": must be an object");
    if (depth_ > 2) return true;
    unsigned bit = field_bit_of(field_);
    if (bit == 0 || kind == value_kind::null) return true;  // ignored field, or null = not set
    if (seen_ & bit) return fail(where() + ": appears twice");
    seen_ |= bit;
    if (bit == f_max_in || bit == f_max_out) {
      auto n = token_limit(kind, text, integer);
      if (!n) return fail(where() + ": must be a positive whole number of tokens");
      (bit == f_max_in ? current_.max_input_tokens : current_.max_output_tokens) = *n;
      return true;
    }
    std::optional<std::int64_t> atto;
    if (kind == value_kind::integer) {
      atto = integer <= 9 ? std::optional<std::int64_t>(static_cast<std::int64_t>(integer) * 1'000'000'000'000'000'000)
                          : std::nullopt;
    } else if (kind == value_kind::decimal || kind == value_kind::text) {
      atto = parse_price(text);
    }
    if (!atto) return fail(where() + ": must be a non-negative number of USD per token, at most 9.22");
    (bit == f_input ? current_.input_atto : bit == f_output ? current_.output_atto : current_.cache_read_atto) = *atto;
    return true;
  }

  static std::optional<std::int64_t> token_limit(value_kind kind, std::string_view text, std::uint64_t integer) {
    if (kind == value_kind::integer) {
      if (integer == 0 || integer > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<std::int64_t>(integer);
    }
    if (kind == value_kind::decimal) {  // 131072.0
      double d = 0;
      auto r = std::from_chars(text.data(), text.data() + text.size(), d);
      if (r.ec != std::errc{} || !(d >= 1 && d < 9.2e18) || std::floor(d) != d) return std::nullopt;
      return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
  }

  bool finish_entry() {
    if (!(seen_ & f_input)) return fail(entry_name() + ": input_cost_per_token is required");
    if (!(seen_ & f_output)) return fail(entry_name() + ": output_cost_per_token is required");
    entries.emplace(model_, current_);
    return true;
  }
};

// --- compiled-in data ------------------------------------------------------------------------

struct builtin_entry {
  const char* key;
  const char* input;
  const char* output;
  std::int64_t max_tokens;  // max_input_tokens = max_output_tokens for every Tensormesh model
};

// litellm-reference §7.1; config/prices.json carries the same (checked by a unit test).
constexpr std::array<builtin_entry, 10> builtin_entries{{
    {"tensormesh/Qwen/Qwen3.5-397B-A17B-FP8", "6e-07", "3.6e-06", 262144},
    {"tensormesh/Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", "4.5e-07", "1.8e-06", 262144},
    {"tensormesh/Qwen/Qwen3.6-27B-FP8", "3.2e-07", "3.2e-06", 262144},
    {"tensormesh/lukealonso/GLM-5.1-NVFP4-MTP", "1.4e-06", "4.4e-06", 202752},
    {"tensormesh/deepseek-ai/DeepSeek-V4-Flash", "1.4e-07", "2.8e-07", 32768},
    {"tensormesh/moonshotai/Kimi-K2.6", "9.6e-07", "4e-06", 32768},
    {"tensormesh/MiniMaxAI/MiniMax-M2.5", "3e-07", "1.2e-06", 196608},
    {"tensormesh/google/gemma-4-31B-it", "1.4e-07", "5.6e-07", 32768},
    {"tensormesh/openai/gpt-oss-120b", "1.5e-07", "6e-07", 131072},
    {"tensormesh/openai/gpt-oss-20b", "7e-08", "2.8e-07", 131072},
}};

}  // namespace

std::optional<std::int64_t> parse_price(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '+') ++i;
  std::string digits;     // significant digits, without leading or trailing zeros
  long zeros_pending = 0;  // zeros after the last non-zero digit, appended only if one follows
  long scale = 0;          // value = digits × 10^(zeros_pending + scale)
  bool any_digit = false, seen_point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      any_digit = true;
      if (seen_point) --scale;
      if (c == '0') {
        if (!digits.empty()) ++zeros_pending;
      } else {
        // Bounded work for absurd inputs: 40 significant digits are far beyond any price's.
        if (digits.size() + static_cast<std::size_t>(zeros_pending) >= 40) return std::nullopt;
        digits.append(static_cast<std::size_t>(zeros_pending), '0');
        zeros_pending = 0;
        digits.push_back(c);
      }
    } else {
      break;
    }
  }
  scale += zeros_pending;
  if (!any_digit) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    if (i == s.size()) return std::nullopt;
    long exp = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (exp < 100000) exp = exp * 10 + (s[i] - '0');  // saturates: 1e-999999 is simply 0
    }
    scale += negative ? -exp : exp;
  }
  if (i != s.size()) return std::nullopt;
  return scale_digits(digits, scale + atto_digits);
}

std::optional<std::int64_t> price_from_double(double usd_per_token) {
  if (!std::isfinite(usd_per_token) || usd_per_token < 0) return std::nullopt;
  if (usd_per_token == 0) return 0;  // also -0.0, whose text "-0" parse_price refuses
  std::array<char, 32> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), usd_per_token);
  return parse_price(std::string_view(buf.data(), static_cast<std::size_t>(r.ptr - buf.data())));
}

std::variant<price_table, price_table::load_error> price_table::parse(std::string_view json_text) {
  table_reader reader;
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(json_text.begin(), json_text.end(), &reader);
  } catch (const nlohmann::json::exception&) {
    ok = false;
  }
  if (!ok) return load_error{reader.error.empty() ? "invalid JSON" : reader.error};
  price_table t;
  t.entries_ = std::move(reader.entries);
  return t;
}

std::variant<price_table, price_table::load_error> price_table::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return load_error{path + ": cannot open: " + std::strerror(errno)};
  std::string text;
  std::array<char, 65536> chunk{};
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_file_bytes) return load_error{path + ": larger than 64 MiB"};
  }
  if (in.bad()) return load_error{path + ": read error"};
  auto r = parse(text);
  if (auto* e = std::get_if<load_error>(&r)) e->message = path + ": " + e->message;
  return r;
}

const price_table& price_table::builtin() {
  static const price_table table = [] {
    price_table t;
    for (const auto& e : builtin_entries) {
      model_price p;
      p.input_atto = parse_price(e.input).value_or(0);
      p.output_atto = parse_price(e.output).value_or(0);
      p.max_input_tokens = e.max_tokens;
      p.max_output_tokens = e.max_tokens;
      t.entries_.emplace(e.key, p);
    }
    return t;
  }();
  return table;
}

const model_price* price_table::find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<model_price> price_table::for_deployment(const config::deployment& d) const {
  auto qualified = [&](const std::string& name) { return d.provider.empty() ? name : d.provider + "/" + name; };
  const model_price* base = nullptr;
  if (!d.base_model.empty()) {
    base = find(d.base_model);
    if (!base) base = find(qualified(d.base_model));
  } else {
    base = find(qualified(d.upstream_model));
  }
  if (!base && !d.input_cost_per_token && !d.output_cost_per_token) return std::nullopt;

  model_price p = base ? *base : model_price{};
  auto apply = [](const std::optional<double>& override_usd, std::int64_t& field) {
    if (!override_usd) return true;
    auto atto = price_from_double(*override_usd);
    if (!atto) return false;
    field = *atto;
    return true;
  };
  if (!apply(d.input_cost_per_token, p.input_atto) || !apply(d.output_cost_per_token, p.output_atto) ||
      !apply(d.cache_read_input_token_cost, p.cache_read_atto))
    return std::nullopt;
  return p;
}

std::optional<double> compute_cost(const model_price& p, const token_usage& u) {
  if (!u.known()) return std::nullopt;
  u128 prompt = count(u.prompt_tokens), cached = count(u.cached_tokens), completion = count(u.completion_tokens);
  u128 uncached = prompt > cached ? prompt - cached : 0;
  u128 atto = uncached * static_cast<u128>(p.input_atto) + cached * static_cast<u128>(p.cache_read_atto) +
              completion * static_cast<u128>(p.output_atto);
  return atto_to_usd(atto);
}

std::string format_cost(double usd) {
  std::array<char, 32> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), usd);
  return std::string(buf.data(), r.ptr);
}

}  // namespace meshgate::usage
