#include "store/db.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace cxco::store {

const std::optional<std::string>& Row::cell(std::string_view column) const {
  const auto& columns = *columns_;
  for (std::size_t n = 0, i = next_; n < columns.size(); ++n, i = i + 1 == columns.size() ? 0 : i + 1)
    if (columns[i] == column) {
      next_ = i + 1 == columns.size() ? 0 : i + 1;
      return cells_[i];
    }
  throw std::logic_error("no column '" + std::string(column) + "' in result");
}

std::string Row::str(std::string_view column) const { return cell(column).value_or(std::string()); }

std::optional<std::int64_t> Row::opt_i64(std::string_view column) const {
  const auto& c = cell(column);
  if (!c) return std::nullopt;
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(c->data(), c->data() + c->size(), v);
  if (ec != std::errc()) {
    // SQLite may hand back "1.0" for integer arithmetic on REAL values.
    return static_cast<std::int64_t>(std::stod(*c));
  }
  return v;
}

std::int64_t Row::i64(std::string_view column) const { return opt_i64(column).value_or(0); }

std::optional<double> Row::opt_f64(std::string_view column) const {
  const auto& c = cell(column);
  if (!c) return std::nullopt;
  return std::stod(*c);
}

double Row::f64(std::string_view column) const { return opt_f64(column).value_or(0.0); }

bool Row::boolean(std::string_view column) const {
  const auto& c = cell(column);
  return c && (*c == "1" || *c == "t" || *c == "true");
}

namespace {
thread_local Rider* waiting_rider = nullptr;
}  // namespace

RideScope::RideScope(Rider& rider) { waiting_rider = &rider; }
RideScope::~RideScope() { waiting_rider = nullptr; }

Result Connection::query(std::string_view sql, const Params& params) {
  Rider* rider = std::exchange(waiting_rider, nullptr);
  return rider ? execute_after(*rider, sql, params) : execute(sql, params);
}

Result Connection::execute_after(Rider& rider, std::string_view sql, const Params& params) {
  rider.settle(execute(rider.sql(), rider.params()));
  return execute(sql, params);
}

std::optional<Row> Tx::one(std::string_view sql, const Params& params) {
  auto r = conn_.query(sql, params);
  if (r.rows.empty()) return std::nullopt;
  return std::move(r.rows.front());
}

std::int64_t Tx::insert(std::string_view sql, const Params& params) {
  auto r = conn_.query(sql, params);
  if (r.rows.empty()) throw DatabaseError("INSERT returned no id");
  return r.rows.front().i64("id");
}

std::unique_ptr<Database> Database::open(const std::string& url, int pool_size) {
  std::vector<std::unique_ptr<Connection>> conns;
  Dialect dialect;
  if (url.rfind("sqlite://", 0) == 0) {
    dialect = Dialect::sqlite;
    const std::string path = url.substr(9);
    if (path.empty()) throw std::invalid_argument("sqlite:// URL needs a file path");
    for (int i = 0; i < pool_size; ++i) conns.push_back(open_sqlite(path));
  } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    dialect = Dialect::postgres;
    for (int i = 0; i < pool_size; ++i) conns.push_back(open_postgres(url));
  } else {
    throw std::invalid_argument("unsupported database URL scheme (use sqlite:// or postgresql://)");
  }
  return std::unique_ptr<Database>(new Database(dialect, std::move(conns)));
}

Database::Database(Dialect d, std::vector<std::unique_ptr<Connection>> conns) : dialect_(d), all_(std::move(conns)) {
  for (auto& c : all_) idle_.push_back(c.get());
}

Database::~Database() = default;

int Database::in_use() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(all_.size() - idle_.size());
}

Database::Lease Database::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  Connection* c = idle_.back();
  idle_.pop_back();
  return Lease(*this, c);
}

void Database::release(Connection* c) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(c);
  }
  available_.notify_one();
}

void Database::begin(Connection& c, TxMode mode) {
  if (dialect_ == Dialect::sqlite)
    c.query(mode == TxMode::write ? "BEGIN IMMEDIATE" : "BEGIN", {});
  else
    c.query("BEGIN", {});
}

void Database::rollback(Connection& c) noexcept {
  try {
    c.query("ROLLBACK", {});
  } catch (...) {
    // The connection may already have left the transaction (e.g. it was lost); nothing to undo.
  }
}

std::optional<Row> Database::one(std::string_view sql, const Params& params) {
  for (int attempt = 1;; ++attempt) {
    auto lease = acquire();
    try {
      auto r = lease->query(sql, params);
      if (r.rows.empty()) return std::nullopt;
      return std::move(r.rows.front());
    } catch (const DatabaseError& e) {
      if (!e.retryable || attempt >= 5) throw;
    }
  }
}

void Database::run_grouped(GroupedWrite& job) {
  std::unique_lock lock(group_mutex_);
  group_queue_.push_back(&job);
  while (!job.done) {
    if (group_committing_) {
      group_committed_.wait(lock);
      continue;
    }
    group_committing_ = true;
    const auto group = std::exchange(group_queue_, {});
    lock.unlock();
    try {
      commit_group(group);
    } catch (...) {
      for (auto* j : group)  // the commit failed: nothing was stored
        if (!j->error) j->error = std::current_exception();
    }
    lock.lock();
    group_committing_ = false;
    for (auto* j : group) j->done = true;
    group_committed_.notify_all();
  }
  if (job.error) std::rethrow_exception(job.error);
}

void Database::commit_group(std::vector<GroupedWrite*> group) {
  // No savepoints (each would give SQLite a statement journal to write): a write that throws
  // takes the group's transaction down with it, hears its error, and the others run again.
  while (!group.empty()) {
    GroupedWrite* failed = nullptr;
    try {
      write([&](Tx& tx) {
        for (auto* job : group) {
          try {
            job->run(tx);
          } catch (const DatabaseError& e) {
            if (!e.retryable) failed = job;  // a retryable error retries the whole group
            throw;
          } catch (...) {
            failed = job;
            throw;
          }
        }
      });
      return;
    } catch (...) {
      if (!failed) throw;  // the commit failed, or a retryable error past its retries: for every write
      failed->error = std::current_exception();
      group.erase(std::find(group.begin(), group.end(), failed));
    }
  }
}

void Database::settle(Rider& rider) {
  if (rider.settled()) return;
  auto lease = acquire();
  rider.settle(lease->execute(rider.sql(), rider.params()));
}

bool Database::ping() {
  try {
    auto lease = acquire();
    lease->query("SELECT 1", {});
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace cxco::store
