#pragma once
// Where spend rows go: a store (store.hpp: SQLite or PostgreSQL), or a test double.
#include <vector>

#include "meshgate/spend/row.hpp"

namespace meshgate::spend {

class sink {
 public:
  virtual ~sink() = default;

  // Stores all of `rows` or none of them; true when stored. Must not throw (the writer counts an
  // exception as a failure anyway). The writer calls it from its one background thread, so an
  // implementation may block; every row it is given has been taken off the writer's queue and is
  // lost if this returns false.
  virtual bool write_batch(const std::vector<spend_row>& rows) = 0;
};

}  // namespace meshgate::spend
