#include "meshgate/core/deadline_stream.hpp"

namespace meshgate::core {

deadline_stream::deadline_stream(tcp_socket socket) : state_(std::make_shared<state>(std::move(socket))) {}

deadline_stream::deadline_stream(executor ex) : state_(std::make_shared<state>(tcp_socket(ex))) {}

deadline_stream::~deadline_stream() {
  if (!state_) return;  // moved from
  // Pending operations end (operation_aborted) and release the state they hold; so does the
  // timer's wait.
  beast::error_code ignored;
  state_->socket.close(ignored);
  state_->timer.cancel();
}

void deadline_stream::set_deadline(clock::time_point t) {
  state& s = *state_;
  s.deadline = t;
  // A wait due no later than the deadline re-checks it when it fires and waits for the rest.
  if (s.waiting && s.timer.expiry() <= t) return;
  wait(state_);
}

void deadline_stream::wait(const std::shared_ptr<state>& st) {
  // Moving the expiry cancels a pending wait; its handler then sees operation_aborted and
  // leaves `waiting` to this one.
  st->timer.expires_at(st->deadline);
  st->waiting = true;
  st->timer.async_wait([st](const beast::error_code& ec) { on_timer(st, ec); });
}

void deadline_stream::on_timer(const std::shared_ptr<state>& st, const beast::error_code& ec) {
  if (ec == net::error::operation_aborted) return;  // superseded by a newer wait, or the stream is gone
  st->waiting = false;
  if (st->deadline == clock::time_point::max()) return;  // lifted meanwhile
  if (clock::now() < st->deadline) {
    wait(st);  // moved on meanwhile: wait for the rest
    return;
  }
  st->timed_out = true;
  beast::error_code ignored;
  st->socket.close(ignored);  // pending operations end, reported as timeouts
}

}  // namespace meshgate::core
