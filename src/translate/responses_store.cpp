#include "meshgate/translate/responses_store.hpp"

#include <atomic>

namespace meshgate::translate {

struct conversation_store::byte_counter {
  std::atomic<std::size_t> live{0};
};

struct conversation_store::entry {
  std::string id;
  std::string owner;
  history last;
};

namespace {

// Owner hashes are compared without an early exit, so timing does not reveal how much of
// another caller's key hash a guess shares.
bool same_owner(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string clipped_id(std::string_view id) {
  constexpr std::size_t limit = 128;
  if (id.size() <= limit) return std::string(id);
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(id[end]) & 0xC0) == 0x80) --end;
  return std::string(id.substr(0, end)) + "...";
}

}  // namespace

conversation_store::turn::~turn() {
  if (counter) counter->live.fetch_sub(bytes);
  // Release the chain iteratively: letting each turn's destructor release its parent would
  // recurse once per turn and could overflow the stack on a very long conversation. A parent
  // whose only owner is `p` is reachable by nobody else, so detaching its link is safe.
  history p = std::move(parent);
  while (p && p.use_count() == 1) {
    history next = std::move(const_cast<turn&>(*p).parent);
    p = std::move(next);
  }
}

conversation_store::conversation_store(std::size_t max_entries, std::size_t max_bytes)
    : max_entries_(max_entries == 0 ? 1 : max_entries),
      max_bytes_(max_bytes),
      bytes_(std::make_shared<byte_counter>()) {}

conversation_store::~conversation_store() = default;

std::variant<conversation_store::history, core::api_error> conversation_store::find(std::string_view response_id,
                                                                                    std::string_view owner) {
  {
    std::lock_guard lock(mutex_);
    auto it = index_.find(response_id);
    if (it != index_.end() && same_owner(it->second->owner, owner)) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->last;
    }
  }
  return core::bad_request("Previous response with id '" + clipped_id(response_id) + "' not found.",
                           "previous_response_id");
}

core::json conversation_store::messages_of(const history& h) {
  std::vector<const turn*> chain;
  for (const turn* t = h.get(); t != nullptr; t = t->parent.get()) chain.push_back(t);
  core::json out = core::json::array();
  for (auto t = chain.rbegin(); t != chain.rend(); ++t) {
    for (const auto& m : (*t)->messages) out.push_back(m);
  }
  return out;
}

void conversation_store::put(std::string response_id, std::string owner, history parent, core::json messages) {
  auto t = std::make_shared<turn>();
  if (!messages.is_array()) messages = core::json::array();
  t->bytes = core::dump_json(messages).size();
  t->messages = std::move(messages);
  t->parent = std::move(parent);
  t->counter = bytes_;
  bytes_->live.fetch_add(t->bytes);

  std::lock_guard lock(mutex_);
  if (auto it = index_.find(response_id); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(entry{response_id, std::move(owner), std::move(t)});
  index_.emplace(std::move(response_id), lru_.begin());
  evict_locked();
}

bool conversation_store::erase(std::string_view response_id, std::string_view owner) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(response_id);
  if (it == index_.end() || !same_owner(it->second->owner, owner)) return false;
  lru_.erase(it->second);
  index_.erase(it);
  return true;
}

void conversation_store::evict_locked() {
  // Evicted turns are released here, under the lock, so that `live` reflects what the eviction
  // freed before the next bound check.
  while (index_.size() > max_entries_ || (bytes_->live.load() > max_bytes_ && index_.size() > 1)) {
    auto& victim = lru_.back();
    index_.erase(victim.id);
    lru_.pop_back();
  }
}

std::size_t conversation_store::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

std::size_t conversation_store::live_bytes() const { return bytes_->live.load(); }

}  // namespace meshgate::translate
