#pragma once
// The three namespace aliases used everywhere that touches I/O (server/ and upstream/ only).
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace meshgate {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
}  // namespace meshgate
