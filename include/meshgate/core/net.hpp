#pragma once
// The namespace aliases used everywhere that touches I/O (server/ and upstream/ only), and the
// I/O types named with the gateway's concrete executor.
//
// Asio's defaults (awaitable<T>, tcp_stream, steady_timer, ...) carry any_io_executor, a
// type-erased executor: every handler and coroutine resumption copied, moved and destroyed it
// and dispatched through it, about 9,000 instructions (7 %) of a small proxied request. The
// gateway only ever runs on io_contexts, so its coroutines and I/O objects name that executor
// instead.
// A task<T> can only co_await task<U>s and operations whose objects use the same executor.
#include <chrono>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace meshgate {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

using executor = net::io_context::executor_type;
// A coroutine of the gateway, and the completion token that makes an operation awaitable in one.
template <class T = void>
using task = net::awaitable<T, executor>;
inline constexpr net::use_awaitable_t<executor> use_task{};

using tcp_socket = net::basic_stream_socket<net::ip::tcp, executor>;
using tcp_acceptor = net::basic_socket_acceptor<net::ip::tcp, executor>;
using tcp_resolver = net::ip::basic_resolver<net::ip::tcp, executor>;
using steady_timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                               net::wait_traits<std::chrono::steady_clock>, executor>;
namespace core {
class deadline_stream;
}
// The gateway's TCP stream: a socket with a per-connection deadline (core/deadline_stream.hpp).
using tcp_stream = core::deadline_stream;
}  // namespace meshgate
