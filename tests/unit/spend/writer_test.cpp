// spend: the background writer — batching, the queue bound, failures, shutdown. The sink here
// is a test double the test holds shut or open; every wait is bounded, none relies on sleeping.
#include "meshgate/spend/writer.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace meshgate::spend;
using namespace std::chrono_literals;

namespace {

spend_row row(std::string id) {
  spend_row r;
  r.request_id = std::move(id);
  r.call_type = "acompletion";
  r.spend = 0.00042;
  return r;
}

// Records every batch. While shut, write_batch waits (at most 10 s) until opened; it can be set
// to refuse batches or to throw.
class gate_sink final : public sink {
 public:
  enum class mode { store, fail, throw_ };

  bool write_batch(const std::vector<spend_row>& rows) override {
    std::unique_lock lk(mu_);
    ++entered_;
    cv_.notify_all();
    if (!cv_.wait_for(lk, 10s, [&] { return open_; })) return false;
    batches_.push_back(rows);
    cv_.notify_all();
    if (mode_ == mode::throw_) throw std::runtime_error("sink exploded");
    return mode_ == mode::store;
  }

  void set_open(bool open) {
    std::lock_guard lk(mu_);
    open_ = open;
    cv_.notify_all();
  }
  void set_mode(mode m) {
    std::lock_guard lk(mu_);
    mode_ = m;
  }
  bool wait_entered(int n) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, 5s, [&] { return entered_ >= n; });
  }
  bool wait_batches(std::size_t n) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, 5s, [&] { return batches_.size() >= n; });
  }
  std::size_t batch_count() {
    std::lock_guard lk(mu_);
    return batches_.size();
  }
  std::vector<std::string> ids(std::size_t batch) {
    std::lock_guard lk(mu_);
    std::vector<std::string> out;
    for (const auto& r : batches_.at(batch)) out.push_back(r.request_id);
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  mode mode_ = mode::store;
  int entered_ = 0;
  std::vector<std::vector<spend_row>> batches_;
};

using ids_t = std::vector<std::string>;

writer_options opts(std::size_t max_rows, std::size_t batch, std::chrono::milliseconds interval) {
  writer_options o;
  o.max_queued_rows = max_rows;
  o.batch_rows = batch;
  o.flush_interval = interval;
  return o;
}

}  // namespace

TEST_CASE("spend: the writer writes a batch when batch_rows rows wait, the rest on stop") {
  auto s = std::make_shared<gate_sink>();
  spend_writer w(s, opts(100, 3, 1h));
  CHECK(w.submit(row("a")));
  CHECK(w.submit(row("b")));
  CHECK(w.submit(row("c")));
  REQUIRE(s->wait_batches(1));
  CHECK(s->ids(0) == ids_t{"a", "b", "c"});
  CHECK(w.submit(row("d")));
  CHECK(w.submit(row("e")));
  CHECK(s->batch_count() == 1);  // two rows wait for the (hour-long) timer or the stop
  REQUIRE(w.flush_and_stop(5s));
  REQUIRE(s->batch_count() == 2);
  CHECK(s->ids(1) == ids_t{"d", "e"});
  auto st = w.stats();
  CHECK(st.submitted == 5);
  CHECK(st.written == 5);
  CHECK(st.dropped == 0);
  CHECK(st.failed_batches == 0);
  CHECK(st.queued == 0);
}

TEST_CASE("spend: the writer flushes a partial batch when the interval passes") {
  auto s = std::make_shared<gate_sink>();
  spend_writer w(s, opts(100, 1000, 10ms));
  CHECK(w.submit(row("lonely")));
  REQUIRE(s->wait_batches(1));
  CHECK(s->ids(0) == ids_t{"lonely"});
  REQUIRE(w.flush_and_stop(5s));
  CHECK(w.stats().written == 1);
}

TEST_CASE("spend: with the sink stuck, submit stays non-blocking and drops beyond the bound") {
  auto s = std::make_shared<gate_sink>();
  s->set_open(false);
  spend_writer w(s, opts(4, 2, 1h));
  CHECK(w.submit(row("r1")));
  CHECK(w.submit(row("r2")));
  REQUIRE(s->wait_entered(1));  // r1, r2 are now the batch in flight, held by the sink
  CHECK(w.stats().queued == 2);
  CHECK(w.submit(row("r3")));
  CHECK(w.submit(row("r4")));
  // 2 in flight + 2 waiting = the bound of 4: further rows are refused at once.
  CHECK_FALSE(w.submit(row("r5")));
  CHECK_FALSE(w.submit(row("r6")));
  auto stuck = w.stats();
  CHECK(stuck.queued == 4);
  CHECK(stuck.dropped == 2);
  CHECK(stuck.submitted == 4);
  CHECK(stuck.written == 0);

  s->set_open(true);
  REQUIRE(w.flush_and_stop(5s));
  REQUIRE(s->batch_count() == 2);
  CHECK(s->ids(0) == ids_t{"r1", "r2"});
  CHECK(s->ids(1) == ids_t{"r3", "r4"});
  auto st = w.stats();
  CHECK(st.written == 4);
  CHECK(st.dropped == 2);
  CHECK(st.queued == 0);
}

TEST_CASE("spend: a refused batch is dropped and counted, and the writer carries on") {
  auto s = std::make_shared<gate_sink>();
  s->set_mode(gate_sink::mode::fail);
  spend_writer w(s, opts(100, 2, 1h));
  CHECK(w.submit(row("x1")));
  CHECK(w.submit(row("x2")));
  REQUIRE(s->wait_batches(1));
  s->set_mode(gate_sink::mode::throw_);
  CHECK(w.submit(row("y1")));
  CHECK(w.submit(row("y2")));
  REQUIRE(s->wait_batches(2));
  s->set_mode(gate_sink::mode::store);
  CHECK(w.submit(row("z1")));
  CHECK(w.submit(row("z2")));
  REQUIRE(s->wait_batches(3));
  REQUIRE(w.flush_and_stop(5s));
  CHECK(s->batch_count() == 3);  // nothing was retried
  CHECK(s->ids(2) == ids_t{"z1", "z2"});
  auto st = w.stats();
  CHECK(st.failed_batches == 2);
  CHECK(st.failed_rows == 4);
  CHECK(st.written == 2);
  CHECK(st.dropped == 0);
}

TEST_CASE("spend: flush_and_stop gives up after its timeout when the sink hangs, and can be retried") {
  auto s = std::make_shared<gate_sink>();
  s->set_open(false);
  spend_writer w(s, opts(100, 1, 1h));
  CHECK(w.submit(row("slow")));
  REQUIRE(s->wait_entered(1));
  CHECK(w.submit(row("behind")));
  CHECK_FALSE(w.flush_and_stop(20ms));
  CHECK_FALSE(w.submit(row("late")));  // stopping: refused
  CHECK(w.stats().dropped == 1);
  s->set_open(true);
  CHECK(w.flush_and_stop(5s));  // the detached thread finishes the queue
  CHECK(s->batch_count() == 2);
  CHECK(s->ids(1) == ids_t{"behind"});
  CHECK(w.stats().written == 2);
}

TEST_CASE("spend: destroying the writer flushes what is queued") {
  auto s = std::make_shared<gate_sink>();
  {
    spend_writer w(s, opts(100, 1000, 1h));
    CHECK(w.submit(row("q1")));
    CHECK(w.submit(row("q2")));
  }
  REQUIRE(s->batch_count() == 1);
  CHECK(s->ids(0) == ids_t{"q1", "q2"});
}

TEST_CASE("spend: submit after flush_and_stop is refused and counted") {
  auto s = std::make_shared<gate_sink>();
  spend_writer w(s, opts(100, 10, 1h));
  REQUIRE(w.flush_and_stop(5s));
  CHECK(w.flush_and_stop(5s));  // idempotent
  CHECK_FALSE(w.submit(row("too-late")));
  auto st = w.stats();
  CHECK(st.dropped == 1);
  CHECK(st.submitted == 0);
  CHECK(s->batch_count() == 0);  // nothing queued: no empty batch was written
}

TEST_CASE("spend: zero options are raised to the smallest working values") {
  auto s = std::make_shared<gate_sink>();
  spend_writer w(s, opts(0, 0, 0ms));
  CHECK(w.submit(row("only")));
  REQUIRE(s->wait_batches(1));
  REQUIRE(w.flush_and_stop(5s));
  CHECK(w.stats().written == 1);
}
