#include "meshgate/spend/writer.hpp"

#include <algorithm>
#include <condition_variable>
#include <utility>
#include <vector>

namespace meshgate::spend {

// Shared with the thread, so a thread left running after a timed-out flush_and_stop never
// touches a destroyed writer.
struct spend_writer::state {
  std::shared_ptr<sink> out;
  std::size_t max_queued = 1;
  std::size_t batch_rows = 1;
  std::chrono::milliseconds interval{1000};

  std::mutex mu;
  std::condition_variable wake;  // the thread: batch_rows reached, or stop
  std::condition_variable done;  // flush_and_stop: the thread finished
  std::vector<spend_row> pending;
  std::size_t in_flight = 0;
  bool stopping = false;
  bool finished = false;
  writer_stats counters;
};

namespace {

bool write_safely(sink& s, const std::vector<spend_row>& batch) {
  try {
    return s.write_batch(batch);
  } catch (...) {
    // A sink must not throw; if one does, its batch is a failed batch, not a dead writer thread.
    return false;
  }
}

}  // namespace

spend_writer::spend_writer(std::shared_ptr<sink> s, writer_options options) : state_(std::make_shared<state>()) {
  state_->out = std::move(s);
  state_->max_queued = std::max<std::size_t>(options.max_queued_rows, 1);
  state_->batch_rows = std::max<std::size_t>(options.batch_rows, 1);
  state_->interval = std::clamp(options.flush_interval, std::chrono::milliseconds(1),
                                std::chrono::milliseconds(std::chrono::hours(24)));
  stop_timeout_ = options.stop_timeout;
  thread_ = std::thread(run, state_);
}

spend_writer::~spend_writer() { flush_and_stop(stop_timeout_); }

bool spend_writer::submit(spend_row row) {
  bool wake = false;
  {
    std::lock_guard lk(state_->mu);
    if (state_->stopping || state_->pending.size() + state_->in_flight >= state_->max_queued) {
      ++state_->counters.dropped;
      return false;
    }
    state_->pending.push_back(std::move(row));
    ++state_->counters.submitted;
    // Only the crossing wakes the thread; below it the timer does, so most submits make no syscall.
    wake = state_->pending.size() == state_->batch_rows;
  }
  if (wake) state_->wake.notify_one();
  return true;
}

void spend_writer::run(std::shared_ptr<state> st) {
  using clock = std::chrono::steady_clock;
  std::vector<spend_row> batch;
  std::unique_lock lk(st->mu);
  auto deadline = clock::now() + st->interval;
  for (;;) {
    st->wake.wait_until(lk, deadline, [&] { return st->stopping || st->pending.size() >= st->batch_rows; });
    if (!st->pending.empty()) {
      batch.swap(st->pending);
      st->in_flight = batch.size();
      lk.unlock();
      const bool ok = write_safely(*st->out, batch);
      const std::size_t rows = batch.size();
      batch.clear();  // the rows' memory is freed here, outside the lock submit() takes
      lk.lock();
      if (ok) {
        st->counters.written += rows;
      } else {
        ++st->counters.failed_batches;
        st->counters.failed_rows += rows;
      }
      st->in_flight = 0;
    }
    if (st->stopping && st->pending.empty()) break;
    deadline = clock::now() + st->interval;
  }
  st->finished = true;
  lk.unlock();
  st->done.notify_all();
}

bool spend_writer::flush_and_stop(std::chrono::milliseconds timeout) {
  std::lock_guard thread_lock(thread_mu_);
  bool finished = false;
  {
    std::unique_lock lk(state_->mu);
    state_->stopping = true;
    state_->wake.notify_one();
    finished = state_->done.wait_for(lk, timeout, [&] { return state_->finished; });
  }
  if (thread_.joinable()) {
    if (finished)
      thread_.join();
    else
      thread_.detach();
  }
  return finished;
}

writer_stats spend_writer::stats() const {
  std::lock_guard lk(state_->mu);
  writer_stats s = state_->counters;
  s.queued = state_->pending.size() + state_->in_flight;
  return s;
}

}  // namespace meshgate::spend
