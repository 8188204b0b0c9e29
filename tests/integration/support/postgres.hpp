#pragma once
// The PostgreSQL server of the [postgres] tests: ctest's postgres_server fixture starts one
// (scripts/test-postgres.sh) and names the file holding its URL in
// MESHGATE_TEST_POSTGRES_URL_FILE; MESHGATE_TEST_POSTGRES_URL gives a URL directly. With
// neither, or a server that does not answer, these helpers throw: the tests fail, never skip.
#include <string>

namespace meshgate::testing {

// The server's URL (its maintenance database).
std::string postgres_server_url();

// Runs `sql` on `url`; throws std::runtime_error with the server's message if it fails.
void postgres_exec(const std::string& url, const std::string& sql);

// A fresh database on the server for one test, dropped (connections and all) at destruction, so
// tests running in parallel never see each other's rows.
class temp_database {
 public:
  temp_database();
  ~temp_database();
  temp_database(const temp_database&) = delete;
  temp_database& operator=(const temp_database&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string server_;
  std::string name_;
  std::string url_;
};

}  // namespace meshgate::testing
