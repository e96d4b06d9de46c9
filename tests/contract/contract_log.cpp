#include "contract/contract_log.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace cxco::test {

namespace json = boost::json;

namespace {

struct Log {
  std::mutex mutex;
  std::vector<int> exemptions;  // ids of the ContractExempt guards alive, innermost last
  int next_exemption = 1;
};

Log& shared_log() {
  static Log log;
  return log;
}

std::string log_path() {
  const char* path = std::getenv("CXCO_CONTRACT_LOG");
  return path ? path : "";
}

// The GoogleTest test running now as "Suite.Name"; empty outside any test.
std::string current_test() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info ? std::string(info->test_suite_name()) + "." + info->name() : std::string();
}

// Callers hold the log's mutex, so lines of concurrent exchanges never interleave.
void append(const json::object& line) {
  const auto path = log_path();
  if (!path.empty()) std::ofstream(path, std::ios::app) << json::serialize(line) << '\n';
}

void append_locked(const json::object& line) {
  std::lock_guard lock(shared_log().mutex);
  append(line);
}

json::array pairs(const http::Fields& fields) {
  json::array out;
  for (const auto& [name, value] : fields) out.push_back(json::array{json::string(name), json::string(value)});
  return out;
}

}  // namespace

void contract_log_begin() {
  const std::filesystem::path path = log_path();
  if (path.empty()) return;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::trunc);
  out << json::serialize(json::object{{"kind", "begin"}}) << '\n';
  if (!out) throw std::runtime_error("cannot write the contract log " + path.string());
}

void contract_log_end() { append_locked({{"kind", "end"}}); }

http::Respond contract_recorded(std::string_view provider, const http::Request& request, http::Respond respond) {
  if (log_path().empty()) return respond;
  json::object call{
      {"kind", "call"},       {"test", current_test()}, {"provider", provider},          {"method", request.method},
      {"path", request.path}, {"route", request.route}, {"query", pairs(request.query)}, {"request", request.body}};
  if (const auto range = request.header("range")) call["range"] = *range;
  return [call = std::move(call), respond = std::move(respond)](http::Response response) {
    auto line = call;
    line["status"] = response.status;
    line["content_type"] = response.content_type;
    // A streamed body (a recording) is not JSON and is not logged; its type is what is checked.
    line["response"] = response.body;
    append_locked(line);
    respond(std::move(response));
  };
}

void contract_record_payload(std::string_view method, std::string_view path, std::string_view body) {
  auto& log = shared_log();
  std::lock_guard lock(log.mutex);
  append({{"kind", "payload"},
          {"test", current_test()},
          {"method", method},
          {"path", path},
          {"body", body},
          {"exemption", log.exemptions.empty() ? json::value(nullptr) : json::value(log.exemptions.back())}});
}

ContractExempt::ContractExempt(std::string reason) {
  auto& log = shared_log();
  std::lock_guard lock(log.mutex);
  id_ = log.next_exemption++;
  log.exemptions.push_back(id_);
  append({{"kind", "exemption"}, {"id", id_}, {"test", current_test()}, {"reason", reason}});
}

ContractExempt::~ContractExempt() {
  auto& log = shared_log();
  std::lock_guard lock(log.mutex);
  log.exemptions.erase(std::find(log.exemptions.begin(), log.exemptions.end(), id_));
}

}  // namespace cxco::test
