#include "support/postgres.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "meshgate/core/ids.hpp"

namespace meshgate::testing {

std::string postgres_server_url() {
  if (const char* url = std::getenv("MESHGATE_TEST_POSTGRES_URL"); url && *url) return url;
  const char* file = std::getenv("MESHGATE_TEST_POSTGRES_URL_FILE");
  if (!file || !*file)
    throw std::runtime_error(
        "no PostgreSQL test server: run through ctest (the postgres_server fixture starts one) or set "
        "MESHGATE_TEST_POSTGRES_URL");
  std::ifstream in(file);
  std::string url;
  if (!std::getline(in, url) || url.empty())
    throw std::runtime_error(std::string("no PostgreSQL test server: ") + file +
                             " is missing or empty (did postgres_server_start fail?)");
  return url;
}

void postgres_exec(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = std::string("cannot connect to the PostgreSQL test server: ") + PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) error = sql + ": " + PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  if (!error.empty()) throw std::runtime_error(error);
}

temp_database::temp_database() : server_(postgres_server_url()) {
  name_ = "meshgate_test_" + core::new_uuid();
  for (char& ch : name_)
    if (ch == '-') ch = '_';
  postgres_exec(server_, "CREATE DATABASE " + name_);
  // The fixture's URL ends in /<maintenance database>; the test database replaces that.
  url_ = server_.substr(0, server_.rfind('/') + 1) + name_;
}

temp_database::~temp_database() {
  try {
    postgres_exec(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // The server going away takes the database with it.
  }
}

}  // namespace meshgate::testing
