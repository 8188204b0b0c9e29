// Client authentication (src/auth): extract_key over arbitrary headers and the authenticator's
// decision.
//
// Input: byte 0 picks the configured custom header (none, or "X-My-Key"); the rest is header
// lines "name:value" separated by '\n' (names lower-cased as the HTTP layer hands them over;
// the first line of a name wins).
#include <algorithm>
#include <map>

#include "fuzz_support.hpp"
#include "meshgate/auth/auth.hpp"

namespace auth = meshgate::auth;

namespace {

constexpr std::string_view master = "sk-master-fuzz";

struct headers final : auth::header_source {
  std::map<std::string, std::string_view, std::less<>> values;
  std::optional<std::string_view> get(std::string_view lower_name) const override {
    if (auto it = values.find(lower_name); it != values.end()) return it->second;
    return std::nullopt;
  }
};

bool within(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view custom = data[0] % 2 ? "X-My-Key" : "";
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  headers h;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
      h.values.emplace(std::move(name), line.substr(colon + 1));
    }
    pos = eol + 1;
  }

  const auth::extracted_key k = auth::extract_key(h, custom);
  FUZZ_CHECK((k.status == auth::extracted_key::kind::present) == !k.key.empty());
  FUZZ_CHECK(within(k.key, text));  // a view of a header value, never a copy

  const auth::authenticator strict(master, false);
  const auto verdict = strict.check(k);
  const bool should_pass = k.status == auth::extracted_key::kind::present && k.key == master;
  FUZZ_CHECK(verdict.has_value() != should_pass);
  if (verdict) {
    meshgate_fuzz::check_api_error(*verdict);
    FUZZ_CHECK(verdict->status == 401);
    // One of LiteLLM's three fixed messages: the key offered is never echoed back.
    static const std::string_view messages[] = {
        "Authentication Error, No api key passed in.",
        "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.",
        "Authentication Error, Invalid proxy server token passed. Unable to find token in cache or "
        "`LiteLLM_VerificationTokenTable`"};
    FUZZ_CHECK(std::find(std::begin(messages), std::end(messages), verdict->message) != std::end(messages));
  }
  FUZZ_CHECK(!auth::authenticator("", true).check(k).has_value());
  FUZZ_CHECK(auth::authenticator("", false).check(k).has_value());

  const std::string hash = auth::authenticator::hash_for_logs(k.key);
  FUZZ_CHECK(hash.size() == 64);
  FUZZ_CHECK(hash.find_first_not_of("0123456789abcdef") == std::string::npos);
  return 0;
}
