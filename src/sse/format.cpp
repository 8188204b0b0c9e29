#include "meshgate/sse/parser.hpp"

namespace meshgate::sse {

std::string format_event(std::string_view data, std::string_view type) {
  type = type.substr(0, type.find_first_of("\r\n"));

  constexpr std::string_view event_field = "event: ";
  constexpr std::string_view data_field = "data: ";
  std::string out;
  // Exact for the common single-line frame; extra lines only cost a regrowth.
  out.reserve((type.empty() ? 0 : event_field.size() + type.size() + 1) + data_field.size() + data.size() + 2);
  if (!type.empty()) {
    out.append(event_field);
    out.append(type);
    out.push_back('\n');
  }
  std::size_t pos = 0;
  while (true) {
    const std::size_t eol = data.find_first_of("\r\n", pos);
    out.append(data_field);
    out.append(data.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
    out.push_back('\n');
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
    if (data[eol] == '\r' && pos < data.size() && data[pos] == '\n') ++pos;
  }
  out.push_back('\n');
  return out;
}

}  // namespace meshgate::sse
