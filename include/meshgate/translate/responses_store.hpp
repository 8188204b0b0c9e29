#pragma once
// In-memory conversation store for `previous_response_id` on the Responses → chat bridge
// (litellm-reference §9.2; user-expectations item 21: chaining works right after a turn).
//
// Each finished turn is stored under its response id as the chat messages it added (its input
// turned into chat messages, then the assistant's answer) plus a link to the turn it continued.
// `history` is a shared, immutable handle to that chain, so a conversation of N turns costs
// O(N) memory, not O(N²), and a handle stays valid after its entry is evicted.
//
// Bounds: at most `max_entries` ids (least recently used evicted first; a lookup counts as a use)
// and, best effort, `max_bytes` of live message JSON (serialised size) across all turns alive —
// entries are evicted, oldest first, until that holds or only the newest entry remains. A turn
// stays alive while a newer stored turn or a caller's handle continues it.
//
// Ids are bound to an owner (the caller's key hash): looking up an id stored for another owner
// fails exactly like an unknown id, so nobody learns that the id exists.
//
// Contract: no I/O, never throws except std::bad_alloc. Thread-safe: every member may be called
// concurrently (one mutex; message lists are assembled outside it).
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "meshgate/core/error.hpp"
#include "meshgate/core/json.hpp"

namespace meshgate::translate {

class conversation_store {
 public:
  struct turn;
  using history = std::shared_ptr<const turn>;

  explicit conversation_store(std::size_t max_entries = 10'000, std::size_t max_bytes = 256u << 20);
  ~conversation_store();
  conversation_store(const conversation_store&) = delete;
  conversation_store& operator=(const conversation_store&) = delete;

  // The stored turn `response_id` of `owner`, or a 400 invalid_request_error (param
  // `previous_response_id`): "Previous response with id '<id>' not found." (the id clipped to
  // 128 bytes) when it is unknown, evicted, or stored for another owner.
  std::variant<history, core::api_error> find(std::string_view response_id, std::string_view owner);

  // Every chat message of the conversation ending at `h`, oldest first (an empty array for null).
  static core::json messages_of(const history& h);

  // Stores the turn `response_id` of `owner`: `messages` (a JSON array; anything else is stored
  // as an empty array) continuing `parent` (null for a first turn). Replaces an existing entry
  // of the same id. Then evicts down to the bounds.
  void put(std::string response_id, std::string owner, history parent, core::json messages);

  // Forgets the id `response_id` of `owner` (DELETE /v1/responses/{id}); false when it is
  // unknown or stored for another owner. Turns that continue it keep their history.
  bool erase(std::string_view response_id, std::string_view owner);

  std::size_t size() const;        // ids stored
  std::size_t live_bytes() const;  // serialised size of every turn still alive

 private:
  struct entry;
  struct byte_counter;
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using lru_list = std::list<entry>;

  void evict_locked();

  std::size_t max_entries_;
  std::size_t max_bytes_;
  std::shared_ptr<byte_counter> bytes_;
  mutable std::mutex mutex_;
  lru_list lru_;  // most recently used first
  std::unordered_map<std::string, lru_list::iterator, string_hash, std::equal_to<>> index_;
};

// Implementation detail, visible so `history` can be used by value; treat as opaque.
struct conversation_store::turn {
  history parent;
  core::json messages;  // this turn's chat messages (array)
  std::size_t bytes = 0;
  std::shared_ptr<byte_counter> counter;

  turn() = default;
  turn(const turn&) = delete;
  turn& operator=(const turn&) = delete;
  ~turn();
};

}  // namespace meshgate::translate
