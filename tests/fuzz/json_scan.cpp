// The tree-less JSON scanner (src/core/json_scan.cpp) against nlohmann: the hot routes trust
// scan_json to accept exactly what core::parse_json accepts, and its member views to be the
// members nlohmann would build. Any disagreement is a crash here.
#include <string>

#include "fuzz_support.hpp"
#include "meshgate/core/json_scan.hpp"

using meshgate::core::json;
namespace core = meshgate::core;

namespace {

json parse_view(std::string_view v) { return meshgate_fuzz::must_parse(v); }

void check_members(const core::json_scan_result& scan, const json& tree) {
  FUZZ_CHECK(tree.is_object());
  if (!scan.plain_keys) return;
  FUZZ_CHECK(scan.members.size() == tree.size());
  for (const auto& m : scan.members) {
    auto it = tree.find(std::string(m.key));
    FUZZ_CHECK(it != tree.end());
    FUZZ_CHECK(parse_view(m.value) == *it);
    FUZZ_CHECK(scan.find(m.key) == &m);
    if (m.kind == core::json_kind::object) {
      std::vector<core::json_member> inner;
      core::object_members(m.value, inner);
      FUZZ_CHECK(inner.size() >= it->size());
    }
    if (m.kind == core::json_kind::array) {
      FUZZ_CHECK(m.elements == it->size());
      bool all_objects = true;
      for (const auto& e : *it) all_objects = all_objects && e.is_object();
      FUZZ_CHECK(m.all_objects == all_objects);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  core::json_scan_result scan;
  const bool valid = core::scan_json(text, scan);
  auto parsed = core::parse_json(text);
  const json* tree = std::get_if<json>(&parsed);
  FUZZ_CHECK(valid == (tree != nullptr));
  if (tree != nullptr && tree->is_object()) {
    FUZZ_CHECK(scan.kind == core::json_kind::object);
    check_members(scan, *tree);
  }
  // Any text, quoted, is a JSON string whose value is the text (invalid UTF-8 replaced).
  std::string quoted;
  core::append_json_string(quoted, text);
  const json again = parse_view(quoted);
  FUZZ_CHECK(again.is_string());
  if (tree != nullptr && tree->is_string()) {
    std::string requoted;
    core::append_json_string(requoted, tree->get_ref<const std::string&>());
    FUZZ_CHECK(parse_view(requoted) == *tree);
  }
  return 0;
}
