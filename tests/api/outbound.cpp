#include "outbound.h"

namespace cxco::test {

void OutboundTest::start(std::function<void(std::map<std::string, std::string>&)> tweak, const char* sim_seconds) {
  server = std::make_unique<TestServer>(
      [&](auto& v) {
        v["CXCO_SIM_CALL_SECONDS"] = sim_seconds;
        if (tweak) tweak(v);
      },
      app::StartOptions{}, &clock);
  db = store::Database::open(server->database().url(), 1);
  company = server->create_company("Acme");
  user = server->create_user(company.key, "jane@acme.com");
  server->add_numbers({"+27210000001"});
  agent_id = server->publish_agent(user.key).id;
}

void OutboundTest::settle() {
  ASSERT_TRUE(eventually([&] {
    return count("SELECT count(*) AS n FROM jobs WHERE run_at <= ? OR lease_token IS NOT NULL", {clock.now_ms()}) == 0;
  })) << "the work queue did not settle";
}

std::int64_t OutboundTest::count(const std::string& sql, const store::Params& params) {
  return db->read([&](store::Tx& tx) { return tx.one(sql, params)->i64("n"); });
}

}  // namespace cxco::test
