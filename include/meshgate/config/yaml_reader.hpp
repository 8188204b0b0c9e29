#pragma once
// Typed reads from a yaml-cpp tree with LiteLLM's rules (internal to the config loader; exposed
// for its tests).
//
// Every read takes a `slot`: a node plus the YAML path and 1-based line to name in an error.
// The first error is kept (later failures are ignored) and reads return nullopt after it, so
// parsers stay linear: read, and check `ok()` where continuing would be pointless.
// `os.environ/NAME` in any scalar read through here is resolved: first in the
// `environment_variables` section (once set), then through the injected env lookup.
// No method throws except std::bad_alloc; yaml-cpp calls used here do not throw on
// well-formed trees (the loader still guards the boundary).
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace meshgate::config {

struct slot {
  YAML::Node node;
  std::string path;  // "model_list[0].litellm_params.api_key"
  int line = 0;      // 1-based line to report; 0 = unknown (the error then names only the file)
};

// One key of a map, after `<<` merge keys are applied. `value.line` is the key's line.
struct map_entry {
  std::string key;
  slot value;
};

// A scalar after os.environ/ resolution.
struct scalar_value {
  std::string text;
  std::string env_name;  // NAME when the YAML said os.environ/NAME, else empty
};

// Largest timeout accepted anywhere, in seconds (one year): keeps every later conversion to
// milliseconds far from overflow.
inline constexpr double max_timeout_seconds = 31536000;

class yaml_reader {
 public:
  using lookup_fn = std::function<std::optional<std::string>(std::string_view)>;

  yaml_reader(std::string source_name, lookup_fn env);

  // --- errors ------------------------------------------------------------------------------
  // "<source>:<line>: <path>: <what>"; line 0 drops ":<line>", an empty path drops "<path>: ".
  void fail(int line, std::string_view path, std::string_view what);
  void fail(const slot& s, std::string_view what) { fail(s.line, s.path, what); }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& source_name() const { return source_; }

  // --- environment -------------------------------------------------------------------------
  // Variables of the `environment_variables` section; they shadow the process environment.
  void set_section_variables(std::vector<std::pair<std::string, std::string>> vars);
  // Section first, then the injected lookup.
  std::optional<std::string> lookup(std::string_view name) const;

  // --- structure ---------------------------------------------------------------------------
  // The entries of a map in file order, `<<: *anchor` merges expanded in place (explicit keys
  // win). Null or absent: empty. Not a map, a non-string key or a duplicate key: error, nullopt.
  std::optional<std::vector<map_entry>> entries(const slot& s);
  // The items of a sequence, paths "<path>[i]". Null or absent: empty. Not a list: error
  // `not_list_what`, nullopt.
  std::optional<std::vector<slot>> items(const slot& s, std::string_view not_list_what);

  // --- scalars (null or absent → nullopt without error) ------------------------------------
  // A scalar with os.environ/ resolved; a map or list fails with `not_scalar_what`.
  std::optional<scalar_value> scalar(const slot& s, std::string_view not_scalar_what);
  std::optional<std::string> text(const slot& s);           // "must be a string"
  std::optional<std::string> nonempty_text(const slot& s);  // also "must not be empty"
  std::optional<bool> boolean(const slot& s);               // true/false/yes/no/on/off
  // (0, max_timeout_seconds]
  std::optional<double> seconds(const slot& s);
  // >= 0; per-token prices such as "3e-7"
  std::optional<double> cost(const slot& s);
  // An integer in [lo, hi] (written as 3, "3" or 3.0).
  std::optional<long long> whole(const slot& s, long long lo, long long hi);
  // (0, max]; fractional values allowed.
  std::optional<double> positive(const slot& s, double max, std::string_view unit);

 private:
  std::optional<scalar_value> resolve(const slot& s, const std::string& raw);
  std::optional<double> number(const slot& s, std::string_view not_number_what);
  bool collect(const slot& s, int depth, std::vector<map_entry>& out);

  std::string source_;
  lookup_fn env_;
  std::vector<std::pair<std::string, std::string>> section_vars_;
  std::string error_;
};

// Parses a whole string as a finite decimal number (leading/trailing blanks and a leading '+'
// allowed; "3e-7", "600", "1.5"). No hex, no inf/nan.
std::optional<double> parse_number(std::string_view text);

// Child paths: "a" + "b" → "a.b"; "" + "b" → "b"; "a" + 3 → "a[3]".
std::string child_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view parent, std::size_t index);

// 1-based line of a node's mark, or `fallback` when yaml-cpp has none.
int line_of(const YAML::Node& n, int fallback);

}  // namespace meshgate::config
