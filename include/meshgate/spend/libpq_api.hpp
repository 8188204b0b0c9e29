#pragma once
// libpq, loaded with dlopen when the first PostgreSQL store opens instead of linked into the
// binary. Linked, libpq brings Kerberos, LDAP, SASL, GnuTLS, p11-kit and a dozen smaller
// libraries into every gateway process: about 3.3 MB of resident memory at start-up (their
// initialisers touch their pages), in a process that idles at ~12 MB, while most deployments
// log spend to SQLite and never use them (docs/performance.md, "Memory").
//
// Only postgres_sink uses this. Types and constants still come from <libpq-fe.h>; calls go
// through the table, whose members carry the libpq names: `api.PQexec(conn, sql)`.
#include <libpq-fe.h>

#include <string>

namespace meshgate::spend {

#define MESHGATE_LIBPQ_FUNCTIONS(X)                                                                  \
  X(PQclear) X(PQconnectdbParams) X(PQconninfoFree) X(PQconninfoParse) X(PQenterPipelineMode)        \
  X(PQerrorMessage) X(PQexec) X(PQexecParams) X(PQexitPipelineMode) X(PQfinish) X(PQfreemem)         \
  X(PQgetisnull) X(PQgetlength) X(PQgetResult) X(PQgetvalue) X(PQntuples) X(PQpipelineSync)          \
  X(PQprepare) X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) X(PQsendQueryPrepared) \
  X(PQsetNoticeProcessor) X(PQstatus) X(PQtransactionStatus)

struct libpq_api {
#define MESHGATE_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  MESHGATE_LIBPQ_FUNCTIONS(MESHGATE_LIBPQ_MEMBER)
#undef MESHGATE_LIBPQ_MEMBER
};

// The library, loaded on the first call (thread-safe) and never unloaded; nullptr when it
// cannot be loaded, with the reason in `error` (e.g. libpq5 not installed).
const libpq_api* load_libpq(std::string& error);

}  // namespace meshgate::spend
