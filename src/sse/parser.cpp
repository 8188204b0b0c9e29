#include "meshgate/sse/parser.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace meshgate::sse {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view data_prefix = "data:";

// Position of the first `c` at or after `from`, or s.size(). Guards the empty range because
// memchr's pointer must be valid even for a zero length.
std::size_t find_byte(std::string_view s, char c, std::size_t from) {
  if (from >= s.size()) return s.size();
  const void* hit = std::memchr(s.data() + from, c, s.size() - from);
  return hit == nullptr ? s.size() : static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
}

std::string_view strip_one_space(std::string_view value) {
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

}  // namespace

parser::parser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

feed_status parser::feed(std::string_view bytes, std::vector<event>& out) {
  if (failed_) return feed_status::event_too_large;
  if (!bom_checked_) {
    bytes = skip_bom(bytes);
    if (!bom_checked_) return feed_status::ok;  // everything so far may still be a split BOM
  }
  if (last_was_cr_ && !bytes.empty()) {
    last_was_cr_ = false;
    if (bytes.front() == '\n') bytes.remove_prefix(1);
  }

  // The next LF and the next CR are each searched once and reused until passed, so a buffer
  // of many short lines is scanned in one pass even when only one of the two bytes occurs.
  const std::size_t n = bytes.size();
  std::size_t pos = 0;
  std::size_t next_lf = find_byte(bytes, '\n', 0);
  std::size_t next_cr = find_byte(bytes, '\r', 0);
  while (pos < n) {
    if (next_lf < pos) next_lf = find_byte(bytes, '\n', pos);
    if (next_cr < pos) next_cr = find_byte(bytes, '\r', pos);
    const std::size_t eol = std::min(next_lf, next_cr);
    const std::string_view piece = bytes.substr(pos, eol - pos);
    if (eol == n) return take_unfinished(piece) ? feed_status::ok : fail();
    if (!finish_line(piece, out)) return fail();
    pos = eol + 1;
    if (bytes[eol] == '\r') {
      if (pos == n) {
        last_was_cr_ = true;
      } else if (bytes[pos] == '\n') {
        ++pos;
      }
    }
  }
  return feed_status::ok;
}

// The BOM bytes are collected in line_ (empty at the start of a stream): on a mismatch they
// simply stay there as the first bytes of the first line.
std::string_view parser::skip_bom(std::string_view bytes) {
  while (!bytes.empty()) {
    if (bytes.front() != utf8_bom[line_.size()]) {
      bom_checked_ = true;
      return bytes;
    }
    line_.push_back(bytes.front());
    bytes.remove_prefix(1);
    if (line_.size() == utf8_bom.size()) {
      line_.clear();
      bom_checked_ = true;
      return bytes;
    }
  }
  return bytes;
}

bool parser::take_unfinished(std::string_view piece) {
  switch (line_mode_) {
    case line_mode::comment:
      return true;
    case line_mode::data_value:
      return append_data_value(piece);
    case line_mode::buffered:
      break;
  }
  if (line_.empty() && piece.front() == ':') {
    line_mode_ = line_mode::comment;
    return true;
  }
  if (pending_bytes_ + line_.size() + piece.size() > max_event_bytes_) return false;

  std::string_view so_far = piece;
  if (!line_.empty()) {
    line_.append(piece);
    so_far = line_;
  }
  // Once the byte after "data:" is known (it decides the space strip), the rest of the line
  // can go straight into the event instead of through line_.
  if (so_far.size() > data_prefix.size() && so_far.starts_with(data_prefix)) {
    pending_bytes_ += so_far.size();
    append_data_line(strip_one_space(so_far.substr(data_prefix.size())));
    line_.clear();
    line_mode_ = line_mode::data_value;
  } else if (line_.empty()) {
    line_.assign(piece);
  }
  return true;
}

bool parser::finish_line(std::string_view piece, std::vector<event>& out) {
  switch (line_mode_) {
    case line_mode::comment:
      line_mode_ = line_mode::buffered;
      return true;
    case line_mode::data_value:
      line_mode_ = line_mode::buffered;
      return append_data_value(piece);
    case line_mode::buffered:
      break;
  }
  if (line_.empty()) return process_line(piece, out);
  line_.append(piece);
  const bool ok = process_line(line_, out);
  line_.clear();
  return ok;
}

bool parser::process_line(std::string_view line, std::vector<event>& out) {
  if (line.empty()) {
    dispatch(out);
    return true;
  }
  if (line.front() == ':') return true;
  if (pending_bytes_ + line.size() > max_event_bytes_) return false;
  pending_bytes_ += line.size();

  const std::size_t colon = line.find(':');
  const std::string_view name = line.substr(0, colon);
  const std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : strip_one_space(line.substr(colon + 1));
  if (name == "data") {
    append_data_line(value);
  } else if (name == "event") {
    pending_.type.assign(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) pending_.id.assign(value);
  }
  return true;
}

bool parser::append_data_value(std::string_view piece) {
  if (pending_bytes_ + piece.size() > max_event_bytes_) return false;
  pending_bytes_ += piece.size();
  pending_.data.append(piece);
  return true;
}

void parser::append_data_line(std::string_view value) {
  if (pending_has_data_) pending_.data.push_back('\n');
  pending_.data.append(value);
  pending_has_data_ = true;
}

void parser::dispatch(std::vector<event>& out) {
  // Moving hands the data buffer to the caller: the event's bytes are never copied again.
  if (pending_has_data_) out.push_back(std::move(pending_));
  clear_pending();
}

void parser::clear_pending() {
  pending_.type.clear();
  pending_.data.clear();
  pending_.id.clear();
  pending_has_data_ = false;
  pending_bytes_ = 0;
}

feed_status parser::fail() {
  failed_ = true;
  // The stream is dead; give back what an oversized event may have made us hold.
  std::string().swap(line_);
  pending_ = event{};
  pending_has_data_ = false;
  pending_bytes_ = 0;
  line_mode_ = line_mode::buffered;
  last_was_cr_ = false;
  return feed_status::event_too_large;
}

bool parser::has_partial() const {
  if (failed_) return false;
  return !line_.empty() || line_mode_ != line_mode::buffered || pending_bytes_ > 0;
}

void parser::reset() {
  line_.clear();
  clear_pending();
  line_mode_ = line_mode::buffered;
  last_was_cr_ = false;
  bom_checked_ = false;
  failed_ = false;
}

}  // namespace meshgate::sse
