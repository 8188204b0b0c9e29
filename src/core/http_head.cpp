#include "meshgate/core/http_head.hpp"

#include <charconv>

namespace meshgate::core {

namespace {

void append_version(std::string& out, unsigned version) {
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
}

std::string finish(std::string out, const http::fields& fields) {
  for (const auto& f : fields) {
    out.append(f.name_string());
    out.append(": ");
    out.append(f.value());
    out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

std::size_t fields_size(const http::fields& fields) {
  std::size_t n = 2;
  for (const auto& f : fields) n += f.name_string().size() + f.value().size() + 4;
  return n;
}

}  // namespace

std::string wire_head(const http::request_header<>& h) {
  std::string out;
  const std::string_view method = h.method_string();
  const std::string_view target = h.target();
  out.reserve(method.size() + target.size() + 11 + fields_size(h));
  out.append(method);
  out.push_back(' ');
  out.append(target);
  out.push_back(' ');
  append_version(out, h.version());
  out.append("\r\n");
  return finish(std::move(out), h);
}

std::string wire_head(const http::response_header<>& h) {
  std::string out;
  std::string_view reason = h.reason();
  if (reason.empty()) reason = http::obsolete_reason(h.result());
  out.reserve(reason.size() + 15 + fields_size(h));
  append_version(out, h.version());
  const unsigned code = h.result_int();
  out.push_back(' ');
  out.push_back(static_cast<char>('0' + code / 100 % 10));
  out.push_back(static_cast<char>('0' + code / 10 % 10));
  out.push_back(static_cast<char>('0' + code % 10));
  out.push_back(' ');
  out.append(reason);
  out.append("\r\n");
  return finish(std::move(out), h);
}

chunk_frame::chunk_frame(std::size_t size) {
  auto end = std::to_chars(prefix_, prefix_ + sizeof prefix_ - 2, size, 16).ptr;
  *end++ = '\r';
  *end++ = '\n';
  prefix_size_ = static_cast<std::size_t>(end - prefix_);
}

std::string wire_last_chunk(const http::fields* trailers) {
  if (trailers == nullptr) return "0\r\n\r\n";
  return finish("0\r\n", *trailers);
}

}  // namespace meshgate::core
