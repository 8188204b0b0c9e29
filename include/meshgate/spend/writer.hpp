#pragma once
// Spend rows leave the request path through this writer: submit() hands a row over and returns
// at once; one background thread writes batches to the sink (product.md §7).
//
// Bounds: at most `max_queued_rows` rows are held in memory, counting both the rows waiting and
// the batch being written; a row submitted beyond that is dropped and counted, so a slow or
// stuck store costs bounded memory, never a blocked request.
// Batching: the thread writes everything waiting as one batch when `batch_rows` rows wait, or
// `flush_interval` after its previous write (or start), whichever comes first.
// Failures: a batch the sink refuses (or throws on) is dropped and counted, never retried; the
// writer carries on with the next batch.
//
// Thread-safety: submit() and stats() from any number of threads. submit() takes a mutex that
// anyone holds only for O(1) work (the writer thread swaps the queue out, it never holds the
// mutex while the sink runs). flush_and_stop() from any thread, any number of times.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "meshgate/spend/sink.hpp"

namespace meshgate::spend {

struct writer_options {
  std::size_t max_queued_rows = 10000;             // the memory bound (at least 1)
  std::size_t batch_rows = 500;                    // write as soon as this many wait (at least 1)
  std::chrono::milliseconds flush_interval{1000};  // ...or this long after the previous write (capped at 1 day)
  std::chrono::milliseconds stop_timeout{5000};    // what the destructor gives flush_and_stop
};

struct writer_stats {
  std::uint64_t submitted = 0;       // rows accepted by submit()
  std::uint64_t written = 0;         // rows the sink stored
  std::uint64_t dropped = 0;         // rows refused by submit(): queue full, or after stop
  std::uint64_t failed_batches = 0;  // batches the sink refused
  std::uint64_t failed_rows = 0;     // rows lost with them
  std::size_t queued = 0;            // rows in memory now: waiting plus being written
};

class spend_writer {
 public:
  // Starts the background thread (std::system_error if the system cannot create one).
  explicit spend_writer(std::shared_ptr<sink> s, writer_options options = {});
  // flush_and_stop(options.stop_timeout) unless already stopped.
  ~spend_writer();
  spend_writer(const spend_writer&) = delete;
  spend_writer& operator=(const spend_writer&) = delete;

  // Queues `row`; false (and `dropped` counted) when the queue is full or the writer is stopping.
  bool submit(spend_row row);

  // Stops accepting rows, writes everything queued, ends the thread. True when that finished
  // within `timeout`; false otherwise — the thread is then left to finish on its own (it owns
  // what it needs) and rows still queued are lost if the process exits first.
  bool flush_and_stop(std::chrono::milliseconds timeout);

  writer_stats stats() const;

 private:
  struct state;
  static void run(std::shared_ptr<state> st);

  std::shared_ptr<state> state_;
  std::chrono::milliseconds stop_timeout_;
  std::mutex thread_mu_;  // guards thread_ against concurrent flush_and_stop calls
  std::thread thread_;
};

}  // namespace meshgate::spend
