#pragma once
// general_settings.database_url / DATABASE_URL: which store it selects, and its loggable form.
//
// Contract: pure, never throws except std::bad_alloc.
#include <string>
#include <string_view>

namespace meshgate::spend {

// True for a PostgreSQL URL: the scheme is postgresql:// or postgres:// (any letter case).
bool is_postgres_url(std::string_view url);

// The URL with its password replaced by "***", both the user-info form
// (postgresql://user:secret@host/db) and a password= query parameter, so it can be logged.
// Anything that is not a URL comes back as "***" when it contains "password" (any case),
// unchanged otherwise.
std::string redact_url(std::string_view url);

// The password as written in the URL (user-info or a password= parameter, not percent-decoded),
// "" if none: what redact_url hides, so that other text can be scrubbed of it too.
std::string url_password(std::string_view url);

}  // namespace meshgate::spend
