#pragma once
// One downstream connection. Started by the listener on the worker that owns the socket.
#include <boost/asio/ssl/context.hpp>

#include "meshgate/core/net.hpp"
#include "meshgate/server/gateway.hpp"

namespace meshgate::server {

// Runs the connection to completion on `w` (detached). `tls` non-null → TLS handshake first.
void start_session(worker& w, tcp_socket socket, net::ssl::context* tls);

}  // namespace meshgate::server
