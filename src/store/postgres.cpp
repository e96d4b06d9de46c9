// PostgreSQL driver (libpq): `?` placeholders become $n, statements are prepared once per
// connection, a lost connection is re-established before the next statement.
#include <libpq-fe.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>

#include "store/db.h"

namespace cxco::store {

namespace {

std::string to_dollar_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_string = false;
  for (const char c : sql) {
    if (c == '\'') in_string = !in_string;
    if (c == '?' && !in_string) {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// Parameters in libpq's text format.
class Bound {
 public:
  explicit Bound(const Params& params) : text_(params.size()), values_(params.size(), nullptr) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              return;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              text_[i] = std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
              char buf[32];
              std::snprintf(buf, sizeof buf, "%.17g", v);
              text_[i] = buf;
            } else if constexpr (std::is_same_v<T, bool>) {
              // Chars, not "1"/"0": GCC 12 at -O3 flags 1-char literals with a false -Wrestrict (GCC bug 105329).
              text_[i] = v ? '1' : '0';
            } else {
              text_[i] = v;
            }
            values_[i] = text_[i].c_str();
          },
          params[i]);
    }
  }
  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }

 private:
  std::vector<std::string> text_;
  std::vector<const char*> values_;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string msg = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw DatabaseError("cannot connect to PostgreSQL: " + msg);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PgConnection() override { PQfinish(conn_); }

  Result execute(std::string_view sql, const Params& params) override {
    ensure_connected();
    const std::string& name = prepare(sql);
    const Bound bound(params);
    return take(PQexecPrepared(conn_, name.c_str(), bound.count(), bound.values(), nullptr, nullptr, 0));
  }

  // Both statements in one round trip (libpq pipeline mode, PostgreSQL 14+ clients); every
  // result is read before either is looked at, so the connection is idle again whatever failed.
  Result execute_after(Rider& rider, std::string_view sql, const Params& params) override {
    ensure_connected();
    const std::string& first_name = prepare(rider.sql());  // map nodes stay where they are
    const std::string& second_name = prepare(sql);
    const Bound first(rider.params());
    const Bound second(params);
    if (PQenterPipelineMode(conn_) != 1) throw DatabaseError("PostgreSQL: cannot enter pipeline mode");
    const bool sent =
        PQsendQueryPrepared(conn_, first_name.c_str(), first.count(), first.values(), nullptr, nullptr, 0) == 1 &&
        PQsendQueryPrepared(conn_, second_name.c_str(), second.count(), second.values(), nullptr, nullptr, 0) == 1 &&
        PQpipelineSync(conn_) == 1;
    if (!sent) {
      // Nothing is known of what reached the server: start a new session.
      const std::string msg = PQerrorMessage(conn_);
      PQreset(conn_);
      statements_.clear();
      throw DatabaseError("PostgreSQL: cannot send a pipeline: " + msg, true);
    }
    std::vector<PGresult*> results;  // each statement's result; a sync ends the pipeline
    for (bool synced = false; !synced;) {
      PGresult* res = PQgetResult(conn_);
      if (!res) {
        if (PQstatus(conn_) != CONNECTION_OK) break;
        continue;  // the end of one statement's results
      }
      synced = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
      if (synced)
        PQclear(res);
      else
        results.push_back(res);
    }
    PQexitPipelineMode(conn_);
    if (results.size() != 2) {
      for (PGresult* res : results) PQclear(res);
      statements_.clear();
      throw DatabaseError(std::string("PostgreSQL pipeline failed: ") + PQerrorMessage(conn_), true);
    }
    try {
      rider.settle(take(results[0]));
    } catch (...) {
      PQclear(results[1]);
      throw;
    }
    return take(results[1]);
  }

  void exec_script(std::string_view sql) override {
    ensure_connected();
    take(PQexec(conn_, std::string(sql).c_str()));
  }

  bool healthy() override { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  void ensure_connected() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    PQreset(conn_);
    statements_.clear();
    if (PQstatus(conn_) != CONNECTION_OK)
      throw DatabaseError(std::string("PostgreSQL connection lost: ") + PQerrorMessage(conn_));
  }

  const std::string& prepare(std::string_view sql) {
    auto it = statements_.find(std::string(sql));
    if (it != statements_.end()) return it->second;
    std::string name = 's' + std::to_string(statements_.size() + 1);  // 's', not "s": GCC bug 105329, as above
    take(PQprepare(conn_, name.c_str(), to_dollar_placeholders(sql).c_str(), 0, nullptr));
    return statements_.emplace(std::string(sql), std::move(name)).first->second;
  }

  Result take(PGresult* res) {
    const auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      const std::string code = state ? state : "";
      const std::string msg = PQresultErrorMessage(res);
      PQclear(res);
      if (code == "23505") throw ConflictError(msg);
      const bool lost = PQstatus(conn_) != CONNECTION_OK;
      if (lost) statements_.clear();
      throw DatabaseError("PostgreSQL: " + msg, lost || code == "40001" || code == "40P01");
    }
    Result result;
    const int ncols = PQnfields(res);
    for (int c = 0; c < ncols; ++c) result.columns->emplace_back(PQfname(res, c));
    const int nrows = PQntuples(res);
    result.rows.reserve(static_cast<std::size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(static_cast<std::size_t>(ncols));
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c))
          cells.emplace_back(std::nullopt);
        else
          cells.emplace_back(std::string(PQgetvalue(res, r, c), static_cast<std::size_t>(PQgetlength(res, r, c))));
      }
      result.rows.emplace_back(result.columns, std::move(cells));
    }
    const char* tuples = PQcmdTuples(res);
    result.affected = tuples && *tuples ? std::stoll(tuples) : 0;
    PQclear(res);
    return result;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> statements_;
};

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& conninfo) {
  return std::make_unique<PgConnection>(conninfo);
}

}  // namespace cxco::store
