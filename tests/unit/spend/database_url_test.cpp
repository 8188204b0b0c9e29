// database_url: which store it selects, and the form that may be logged.
#include <catch2/catch.hpp>

#include "meshgate/spend/database_url.hpp"

using namespace meshgate::spend;

TEST_CASE("spend: only postgresql:// and postgres:// URLs select PostgreSQL", "[spend][database_url]") {
  CHECK(is_postgres_url("postgresql://u:p@db:5432/litellm"));
  CHECK(is_postgres_url("postgres://db/litellm"));
  CHECK(is_postgres_url("PostgreSQL://db/litellm"));
  CHECK_FALSE(is_postgres_url(""));
  CHECK_FALSE(is_postgres_url("mysql://db/x"));
  CHECK_FALSE(is_postgres_url("sqlite:///tmp/x.db"));
  CHECK_FALSE(is_postgres_url("postgresql:/db"));
  CHECK_FALSE(is_postgres_url("host=db dbname=x"));
}

TEST_CASE("spend: redact_url hides the password wherever the URL carries one", "[spend][database_url]") {
  CHECK(redact_url("postgresql://llm:s3cr3t@db.internal:5432/litellm") == "postgresql://llm:***@db.internal:5432/litellm");
  CHECK(redact_url("postgresql://llm@db/litellm") == "postgresql://llm@db/litellm");
  CHECK(redact_url("postgresql://db/litellm") == "postgresql://db/litellm");
  CHECK(redact_url("postgresql://llm:@db/x") == "postgresql://llm:***@db/x");
  // An unencoded '@' in the password: the user info ends at the last '@'.
  CHECK(redact_url("postgres://llm:p@ss@db/x?sslmode=require") == "postgres://llm:***@db/x?sslmode=require");
  CHECK(redact_url("postgresql://db/x?user=llm&password=hunter22&sslmode=require") ==
        "postgresql://db/x?user=llm&password=***&sslmode=require");
  CHECK(redact_url("postgresql://db?Password=hunter22") == "postgresql://db?Password=***");
  CHECK(redact_url("postgresql://a:b@h1:5432,h2:5433/x") == "postgresql://a:***@h1:5432,h2:5433/x");
  CHECK(redact_url("host=db password=hunter22") == "***");
  CHECK(redact_url("not a url") == "not a url");
}

TEST_CASE("spend: url_password finds what redact_url hides", "[spend][database_url]") {
  CHECK(url_password("postgresql://llm:s3cr3t@db/x") == "s3cr3t");
  CHECK(url_password("postgresql://llm:p@ss@db/x") == "p@ss");
  CHECK(url_password("postgresql://db/x?password=hunter22&sslmode=disable") == "hunter22");
  CHECK(url_password("postgresql://llm@db/x") == "");
  CHECK(url_password("garbage") == "");
}
