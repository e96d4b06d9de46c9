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

  Result query(std::string_view sql, const Params& params) override {
    ensure_connected();
    const std::string& name = prepare(sql);

    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              return;
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              text[i] = std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
              char buf[32];
              std::snprintf(buf, sizeof buf, "%.17g", v);
              text[i] = buf;
            } else if constexpr (std::is_same_v<T, bool>) {
              // Chars, not "1"/"0": GCC 12 at -O3 flags 1-char literals with a false -Wrestrict (GCC bug 105329).
              text[i] = v ? '1' : '0';
            } else {
              text[i] = v;
            }
            values[i] = text[i].c_str();
          },
          params[i]);
    }
    PGresult* res =
        PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(), nullptr, nullptr, 0);
    return take(res);
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
