// One database layer over SQLite and PostgreSQL: a connection pool, transactions and
// parameterised queries written once with `?` placeholders. Driver errors are translated
// here, so nothing above this layer sees SQLite or libpq codes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cxco::store {

enum class Dialect { sqlite, postgres };

// A unique or primary-key constraint was violated.
class ConflictError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The database could not serve the statement (connection lost, locked too long, bad SQL...).
class DatabaseError : public std::runtime_error {
 public:
  DatabaseError(const std::string& what, bool retryable = false) : std::runtime_error(what), retryable(retryable) {}
  bool retryable;  // deadlock, serialization failure, SQLITE_BUSY: the transaction may be re-run
};

using Param = std::variant<std::nullptr_t, std::int64_t, double, std::string, bool>;
using Params = std::vector<Param>;

inline Param opt(const std::optional<std::string>& v) { return v ? Param(*v) : Param(nullptr); }
inline Param opt(const std::optional<std::int64_t>& v) { return v ? Param(*v) : Param(nullptr); }
inline Param opt(const std::optional<double>& v) { return v ? Param(*v) : Param(nullptr); }
inline Param opt(const std::optional<bool>& v) { return v ? Param(*v) : Param(nullptr); }

class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns, std::vector<std::optional<std::string>> cells)
      : columns_(std::move(columns)), cells_(std::move(cells)) {}

  bool is_null(std::string_view column) const { return !cell(column); }
  std::string str(std::string_view column) const;
  std::optional<std::string> opt_str(std::string_view column) const { return cell(column); }
  std::int64_t i64(std::string_view column) const;
  std::optional<std::int64_t> opt_i64(std::string_view column) const;
  double f64(std::string_view column) const;
  std::optional<double> opt_f64(std::string_view column) const;
  bool boolean(std::string_view column) const;
  std::optional<bool> opt_bool(std::string_view column) const {
    return is_null(column) ? std::nullopt : std::optional<bool>(boolean(column));
  }

 private:
  const std::optional<std::string>& cell(std::string_view column) const;
  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<std::optional<std::string>> cells_;
  // Repositories read columns in the order they select them: the next lookup starts here.
  mutable std::size_t next_ = 0;
};

struct Result {
  std::shared_ptr<std::vector<std::string>> columns = std::make_shared<std::vector<std::string>>();
  std::vector<Row> rows;
  std::int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

// A statement sent with the next statement its thread runs while a RideScope is open: in the
// same round trip on PostgreSQL (pipeline mode), just before it on SQLite. It is settled before
// the other statement's result is used, so a settle() that throws discards that result (and a
// transaction the other statement began or belonged to is rolled back).
class Rider {
 public:
  Rider(std::string_view sql, Params params) : sql_(sql), params_(std::move(params)) {}
  virtual ~Rider() = default;
  Rider(const Rider&) = delete;
  Rider& operator=(const Rider&) = delete;

  std::string_view sql() const { return sql_; }
  const Params& params() const { return params_; }
  bool settled() const { return settled_; }
  void settle(Result&& result) {
    settled_ = true;
    accept(std::move(result));
  }

 protected:
  virtual void accept(Result&& result) = 0;

 private:
  std::string_view sql_;
  Params params_;
  bool settled_ = false;
};

// While open, the rider goes with the next statement this thread runs (once).
class RideScope {
 public:
  explicit RideScope(Rider& rider);
  ~RideScope();
  RideScope(const RideScope&) = delete;
  RideScope& operator=(const RideScope&) = delete;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one statement, with this thread's rider when one waits (RideScope).
  Result query(std::string_view sql, const Params& params);
  virtual void exec_script(std::string_view sql) = 0;  // several statements, no parameters
  virtual bool healthy() = 0;

  // The drivers: one statement alone, and one after a rider (which the driver settles before it
  // returns the statement's result or throws its error). Sequential unless the driver does better.
  virtual Result execute(std::string_view sql, const Params& params) = 0;
  virtual Result execute_after(Rider& rider, std::string_view sql, const Params& params);
};

enum class TxMode { read, write };

class Tx {
 public:
  Tx(Connection& c, Dialect d) : conn_(c), dialect_(d) {}
  Dialect dialect() const { return dialect_; }
  Result query(std::string_view sql, const Params& params = {}) { return conn_.query(sql, params); }
  std::optional<Row> one(std::string_view sql, const Params& params = {});
  std::int64_t exec(std::string_view sql, const Params& params = {}) { return conn_.query(sql, params).affected; }
  void script(std::string_view sql) { conn_.exec_script(sql); }
  // Runs an INSERT ... RETURNING id and gives the id.
  std::int64_t insert(std::string_view sql, const Params& params);
  // "FOR UPDATE SKIP LOCKED" on PostgreSQL; nothing on SQLite, whose write transactions
  // (BEGIN IMMEDIATE) already hold the database's write lock.
  std::string_view lock_rows_clause() const { return dialect_ == Dialect::postgres ? " FOR UPDATE SKIP LOCKED" : ""; }
  std::string_view lock_row_clause() const { return dialect_ == Dialect::postgres ? " FOR UPDATE" : ""; }

 private:
  Connection& conn_;
  Dialect dialect_;
};

class Database {
 public:
  // sqlite://relative/path.db, sqlite:///abs/path.db, postgresql://... (or postgres://).
  // Throws std::invalid_argument for an unsupported URL, DatabaseError if it cannot connect.
  static std::unique_ptr<Database> open(const std::string& url, int pool_size);
  ~Database();

  Dialect dialect() const { return dialect_; }
  int pool_size() const { return static_cast<int>(all_.size()); }
  int in_use() const;

  // Runs f in a transaction, committing when it returns and rolling back when it throws.
  // Retryable failures (deadlock, serialization, SQLITE_BUSY) re-run f a few times.
  //
  // Reads on PostgreSQL run their statements in autocommit: at READ COMMITTED every statement
  // takes its own snapshot inside a transaction too, so BEGIN and COMMIT would buy nothing but
  // two round trips. SQLite's read transactions cost no round trip and keep one snapshot.
  template <class F>
  auto transact(TxMode mode, F&& f) -> decltype(f(std::declval<Tx&>())) {
    const bool explicit_tx = mode == TxMode::write || dialect_ == Dialect::sqlite;
    for (int attempt = 1;; ++attempt) {
      // SQLite has one writer at a time: this node's writers queue here and are woken at once
      // when the writer before them commits, instead of polling the file lock with sleeps.
      std::unique_lock<std::mutex> writer;
      if (mode == TxMode::write && dialect_ == Dialect::sqlite) writer = std::unique_lock(sqlite_writer_);
      auto lease = acquire();
      try {
        if (explicit_tx) begin(*lease, mode);
        Tx tx(*lease, dialect_);
        if constexpr (std::is_void_v<decltype(f(tx))>) {
          f(tx);
          if (explicit_tx) lease->query("COMMIT", {});
          return;
        } else {
          auto result = f(tx);
          if (explicit_tx) lease->query("COMMIT", {});
          return result;
        }
      } catch (const DatabaseError& e) {
        if (explicit_tx) rollback(*lease);
        if (!e.retryable || attempt >= 5) throw;
      } catch (...) {
        if (explicit_tx) rollback(*lease);
        throw;
      }
    }
  }
  // A write that shares its transaction with the other grouped writes waiting when it starts
  // (group commit). On SQLite, whose one writer commits each transaction's pages to the WAL,
  // the writers that queue while one group commits go together in the next: one BEGIN and one
  // COMMIT for all. A write that throws hears its own error and stores nothing; the others run
  // again without it. On PostgreSQL, a write of its own. For many small, independent writes at
  // once (post-call ingestion); f may run on another writer's thread, so it must not depend on
  // thread-local state (an audit or ride scope), and may run more than once.
  template <class F>
  auto write_grouped(F&& f) -> decltype(f(std::declval<Tx&>())) {
    using R = decltype(f(std::declval<Tx&>()));
    if (dialect_ != Dialect::sqlite) return write(std::forward<F>(f));
    if constexpr (std::is_void_v<R>) {
      GroupedWrite job{[&](Tx& tx) { f(tx); }, nullptr, false};
      run_grouped(job);
    } else {
      std::optional<R> result;
      GroupedWrite job{[&](Tx& tx) { result = f(tx); }, nullptr, false};
      run_grouped(job);
      return std::move(*result);
    }
  }
  template <class F>
  auto read(F&& f) {
    return transact(TxMode::read, std::forward<F>(f));
  }
  template <class F>
  auto write(F&& f) {
    return transact(TxMode::write, std::forward<F>(f));
  }

  bool ping();
  // Runs a rider that has not yet gone with a statement, alone.
  void settle(Rider& rider);
  // One statement in autocommit, without BEGIN/COMMIT round trips: for the hot single-row
  // reads (API key lookup) that need no snapshot across statements.
  std::optional<Row> one(std::string_view sql, const Params& params);

  class Lease {
   public:
    Lease(Database& db, Connection* c) : db_(&db), conn_(c) {}
    Lease(Lease&& o) noexcept : db_(o.db_), conn_(o.conn_) { o.conn_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_) db_->release(conn_);
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_; }

   private:
    Database* db_;
    Connection* conn_;
  };
  Lease acquire();

 private:
  Database(Dialect d, std::vector<std::unique_ptr<Connection>> conns);
  void release(Connection* c);
  void begin(Connection& c, TxMode mode);
  void rollback(Connection& c) noexcept;

  struct GroupedWrite {
    std::function<void(Tx&)> run;
    std::exception_ptr error;
    bool done = false;
  };
  // Queues the write; the first writer to find no group committing commits the queue.
  void run_grouped(GroupedWrite& job);
  void commit_group(std::vector<GroupedWrite*> group);

  Dialect dialect_;
  std::vector<std::unique_ptr<Connection>> all_;
  std::vector<Connection*> idle_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::mutex sqlite_writer_;  // held for each write transaction on SQLite
  std::mutex group_mutex_;
  std::condition_variable group_committed_;
  std::vector<GroupedWrite*> group_queue_;
  bool group_committing_ = false;
};

// Driver factories (store/sqlite.cpp, store/postgres.cpp).
std::unique_ptr<Connection> open_sqlite(const std::string& path);
std::unique_ptr<Connection> open_postgres(const std::string& conninfo);

}  // namespace cxco::store
