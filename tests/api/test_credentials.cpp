// Providers and a company's credentials for them: validation, encryption at rest that Python's
// reference Fernet reads, key rotation, and live provider calls made with the stored credentials.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "crypto/fernet.h"
#include "fakes/elevenlabs_fake.h"
#include "harness.h"
#include "services/credentials.h"
#include "store/db.h"

namespace cxco::test {

namespace json = boost::json;

namespace {

// The harness's CXCO_ENCRYPTION_KEYS.
constexpr const char* kHarnessKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr const char* kSecret = "sk_live_elevenlabs_üñî_0123456789";

// Runs a command, answering its stdout and exit status.
std::pair<std::string, int> run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {out, -1};
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

bool python_cryptography_available() {
  return std::system("/usr/bin/python3 -c 'import cryptography.fernet' >/dev/null 2>&1") == 0;
}

// Python's cryptography.fernet, an implementation independent of ours. Key and token are
// URL-safe base64, so they pass unquoted.
std::optional<std::string> python_decrypt(const std::string& key, const std::string& token) {
  const auto [out, status] =
      run("/usr/bin/python3 -c 'import sys; from cryptography.fernet import Fernet; "
          "sys.stdout.write(Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].encode()).decode())' " +
          key + " " + token);
  if (status != 0) return std::nullopt;
  return out;
}

std::set<std::string> dotted_error_locs(const Reply& r) {
  std::set<std::string> out;
  for (const auto& e : r.json.at("errors").as_array()) {
    std::string loc;
    for (const auto& part : e.at("loc").as_array()) {
      if (!loc.empty()) loc += '.';
      loc += part.as_string();
    }
    out.insert(loc);
  }
  return out;
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

class Credentials : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<TestServer>();
    company = server->create_company("Acme");
    db = store::Database::open(server->database().url(), 1);
  }
  Reply store(const std::string& slug, json::object credentials, std::optional<std::int64_t> company_id = {},
              const std::string& key = "") {
    return server->post(
        "/api/providers/" + slug + "/credentials", key.empty() ? company.key : key,
        json::object{{"company_id", company_id.value_or(company.id)}, {"credentials", std::move(credentials)}});
  }
  std::string stored_token(const std::string& slug) {
    return db->read([&](store::Tx& tx) {
      return tx
          .one(
              "SELECT c.credentials FROM provider_credentials c JOIN providers p ON p.id = c.provider_id "
              "WHERE p.slug = ? AND c.company_id = ?",
              {slug, company.id})
          ->str("credentials");
    });
  }

  std::unique_ptr<TestServer> server;
  TestServer::Account company{};
  std::unique_ptr<store::Database> db;
};

TEST_F(Credentials, ListsTheProvidersToCompanyKeys) {
  auto r = server->get("/api/providers/", company.key);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& list = r.json.as_array();
  ASSERT_EQ(list.size(), 5u);
  const std::vector<std::pair<std::string, std::string>> expected = {{"elevenlabs", "voice_provider"},
                                                                     {"sip_trunk", "sip_trunk"},
                                                                     {"whatsapp", "messaging"},
                                                                     {"llm", "llm"},
                                                                     {"twilio", "telephony"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(list[i].at("id").as_int64(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(std::string(list[i].at("slug").as_string()), expected[i].first);
    EXPECT_EQ(std::string(list[i].at("type").as_string()), expected[i].second);
    EXPECT_EQ(list[i].at("status"), "active");
    EXPECT_TRUE(list[i].at("name").is_string());
  }
  const auto user = server->create_user(company.key, "jane@acme.com");
  EXPECT_EQ(server->get("/api/providers/", user.key).status, 403);
  EXPECT_EQ(server->get("/api/providers/").status, 401);
}

TEST_F(Credentials, StoreConflictDeleteAndStoreAgain) {
  auto r = store("elevenlabs", {{"api_key", kSecret}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("company_id").as_int64(), company.id);
  EXPECT_EQ(r.json.at("provider_id").as_int64(), 1);
  EXPECT_EQ(r.json.at("status"), "active");
  EXPECT_TRUE(r.json.at("id").is_int64());
  EXPECT_TRUE(r.json.at("created_at").is_string());
  EXPECT_EQ(r.body.find("sk_live"), std::string::npos);

  auto again = store("elevenlabs", {{"api_key", "another"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json.at("error_type"), "conflict");

  EXPECT_EQ(server->del("/api/providers/elevenlabs/credentials", company.key).status, 204);
  EXPECT_EQ(server->del("/api/providers/elevenlabs/credentials", company.key).status, 404);
  EXPECT_EQ(store("elevenlabs", {{"api_key", "another"}}).status, 201);
}

TEST_F(Credentials, UnknownProviderAndForeignCompany) {
  auto r = store("acme", {{"api_key", "x"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json.at("error_type"), "not_found");
  EXPECT_EQ(server->del("/api/providers/acme/credentials", company.key).status, 404);

  const auto other = server->create_company("Other");
  auto foreign = store("elevenlabs", {{"api_key", "x"}}, other.id);
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.json.at("error_type"), "permission_denied");

  // Each company's set is its own: the other company has none to delete and may store its own.
  ASSERT_EQ(store("elevenlabs", {{"api_key", "mine"}}).status, 201);
  EXPECT_EQ(server->del("/api/providers/elevenlabs/credentials", other.key).status, 404);
  EXPECT_EQ(store("elevenlabs", {{"api_key", "theirs"}}, other.id, other.key).status, 201);
  EXPECT_EQ(server->del("/api/providers/elevenlabs/credentials", company.key).status, 204);
  EXPECT_EQ(server->del("/api/providers/elevenlabs/credentials", other.key).status, 204);

  const auto user = server->create_user(company.key, "jane@acme.com");
  EXPECT_EQ(store("elevenlabs", {{"api_key", "x"}}, company.id, user.key).status, 403);
}

TEST_F(Credentials, ValidatedPerProvider) {
  struct Case {
    std::string slug;
    json::value credentials;
    std::set<std::string> locs;
  };
  const std::vector<Case> cases = {
      {"elevenlabs", json::object{}, {"body.credentials.api_key"}},
      {"elevenlabs", json::object{{"api_key", 5}}, {"body.credentials.api_key"}},
      {"elevenlabs", json::object{{"api_key", "  "}}, {"body.credentials.api_key"}},
      {"elevenlabs", "not an object", {"body.credentials"}},
      {"elevenlabs", json::object{{"api_key", "k"}, {"webhook_secret", " "}}, {"body.credentials.webhook_secret"}},
      {"twilio", json::object{}, {"body.credentials.account_sid", "body.credentials.auth_token"}},
      {"twilio",
       json::object{{"account_sid", "0123456789abcdef0123456789abcdef"},
                    {"auth_token", "not-hex-0123456789abcdef012345"}},
       {"body.credentials.account_sid", "body.credentials.auth_token"}},
      {"twilio",
       json::object{{"account_sid", "AC0123456789abcdef0123456789abcde"}, {"auth_token", 42}},
       {"body.credentials.account_sid", "body.credentials.auth_token"}},
      {"sip_trunk",
       json::object{{"address", ""}, {"transport", "sctp"}, {"username", "u"}},
       {"body.credentials.address", "body.credentials.transport", "body.credentials.password"}},
      {"sip_trunk", json::object{{"address", "sip.example.com"}, {"password", "p"}}, {"body.credentials.username"}},
      {"whatsapp",
       json::object{
           {"access_token", "t"}, {"waba_id", "abc"}, {"phone_number_ids", json::array{"1", 2}}, {"pin", "12"}},
       {"body.credentials.waba_id", "body.credentials.phone_number_ids.1", "body.credentials.pin"}},
      {"whatsapp",
       json::object{{"phone_number_ids", "1"}},
       {"body.credentials.access_token", "body.credentials.waba_id", "body.credentials.phone_number_ids"}},
      {"llm",
       json::object{{"base_url", "ftp://llm.example.com"}, {"api_key", "k"}},
       {"body.credentials.base_url", "body.credentials.model"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.slug + " " + json::serialize(c.credentials));
    auto r = server->post("/api/providers/" + c.slug + "/credentials", company.key,
                          json::object{{"company_id", company.id}, {"credentials", c.credentials}});
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json.at("error_type"), "validation_error");
    EXPECT_EQ(dotted_error_locs(r), c.locs);
  }
  auto missing = server->post("/api/providers/llm/credentials", company.key, json::object{});
  ASSERT_EQ(missing.status, 422);
  EXPECT_EQ(dotted_error_locs(missing), (std::set<std::string>{"body.company_id", "body.credentials"}));

  // Valid sets of each provider; optional fields may be left out.
  EXPECT_EQ(store("sip_trunk", {{"address", "sip.carrier.example.com:5061"}}).status, 201);
  EXPECT_EQ(store("whatsapp", {{"access_token", "EAAG"}, {"waba_id", "102290129340398"}}).status, 201);
  EXPECT_EQ(store("twilio", {{"account_sid", "AC0123456789abcdef0123456789ABCDEF"},
                             {"auth_token", "0123456789abcdef0123456789abcdef"}})
                .status,
            201);
  EXPECT_EQ(
      store("llm", {{"base_url", "https://api.openai.com/v1"}, {"api_key", "sk-x"}, {"model", "gpt-4o-mini"}}).status,
      201);
  // Unknown fields are not stored.
  EXPECT_EQ(store("elevenlabs", {{"api_key", "k"}, {"webhook_secret", "wsec_k"}, {"note", "dropped"}}).status, 201);
  const auto plain = crypto::MultiFernet::from_key_list(kHarnessKey)->decrypt(stored_token("elevenlabs"));
  EXPECT_EQ(plain, R"({"api_key":"k","webhook_secret":"wsec_k"})");
}

TEST_F(Credentials, StoredAsFernetTokensThatPythonDecrypts) {
  if (!python_cryptography_available())
    GTEST_SKIP() << "/usr/bin/python3 with the cryptography module is missing (scripts/install-deps.sh installs it)";
  testing::internal::CaptureStderr();
  auto r = store(
      "sip_trunk",
      {{"address", "sip.carrier.example.com"}, {"transport", "tls"}, {"username", "acme"}, {"password", kSecret}});
  const auto logs = testing::internal::GetCapturedStderr();
  ASSERT_EQ(r.status, 201) << r.body;

  const auto token = stored_token("sip_trunk");
  EXPECT_EQ(token.rfind("gAAAAA", 0), 0u) << "not a Fernet token";
  const auto decrypted = python_decrypt(kHarnessKey, token);
  ASSERT_TRUE(decrypted.has_value()) << "Python's Fernet rejected the stored token";
  EXPECT_EQ(
      json::parse(*decrypted),
      (json::object{
          {"address", "sip.carrier.example.com"}, {"transport", "tls"}, {"username", "acme"}, {"password", kSecret}}));

  // The plaintext is nowhere: not in the database, its files, the answer or the logs.
  const std::string secret = kSecret;
  const auto rows = db->read([](store::Tx& tx) { return tx.query("SELECT * FROM provider_credentials"); });
  for (const auto& row : rows.rows) EXPECT_EQ(row.str("credentials").find(secret), std::string::npos);
  if (!postgres_backend()) {
    for (const auto* file : {"cxco.db", "cxco.db-wal"})
      EXPECT_EQ(file_bytes(server->database().dir() / file).find(secret), std::string::npos) << file;
  }
  EXPECT_EQ(r.body.find(secret), std::string::npos);
  EXPECT_EQ(logs.find(secret), std::string::npos);
}

TEST_F(Credentials, RotationReencryptsEverySecretUnderTheNewFirstKey) {
  ASSERT_EQ(store("elevenlabs", {{"api_key", kSecret}}).status, 201);
  auto hook = server->post("/api/webhooks/", company.key,
                           json::object{{"url", "https://hooks.example.com/cxco"},
                                        {"events", json::array{"conversation.completed"}},
                                        {"secret", "whsec_rotate_me"}});
  ASSERT_EQ(hook.status, 201) << hook.body;
  auto webhook_token = [&] {
    return db->read([&](store::Tx& tx) {
      return tx.one("SELECT secret_token FROM webhooks WHERE company_id = ?", {company.id})->str("secret_token");
    });
  };

  util::SystemClock clock;
  auto rotate = [&](const crypto::MultiFernet& keys) {
    return services::Credentials(*db, clock, keys, {}).rotate_encryption();
  };
  const auto new_key = crypto::Fernet::generate_key();
  const auto rotating = *crypto::MultiFernet::from_key_list(new_key + "," + kHarnessKey);
  auto report = rotate(rotating);
  EXPECT_EQ(report.rotated, 2);
  EXPECT_EQ(report.current, 0);
  EXPECT_EQ(report.unreadable, 0);

  // The old key can go: the new one alone reads every secret.
  const auto new_only = *crypto::MultiFernet::from_key_list(new_key);
  EXPECT_EQ(new_only.decrypt(stored_token("elevenlabs")), "{\"api_key\":\"" + std::string(kSecret) + "\"}");
  EXPECT_EQ(new_only.decrypt(webhook_token()), "whsec_rotate_me");
  EXPECT_FALSE(crypto::MultiFernet::from_key_list(kHarnessKey)->decrypt(webhook_token()).has_value());
  if (python_cryptography_available()) {
    EXPECT_EQ(python_decrypt(new_key, webhook_token()), "whsec_rotate_me");
  }

  // Rotating again finds nothing to do; keys that read nothing leave the tokens alone.
  report = rotate(rotating);
  EXPECT_EQ(report.rotated, 0);
  EXPECT_EQ(report.current, 2);
  const auto before = stored_token("elevenlabs");
  report = rotate(*crypto::MultiFernet::from_key_list(crypto::Fernet::generate_key()));
  EXPECT_EQ(report.unreadable, 2);
  EXPECT_EQ(stored_token("elevenlabs"), before);
}

TEST_F(Credentials, RotateEncryptionCommand) {
  ASSERT_EQ(store("llm", {{"base_url", "https://api.openai.com/v1"}, {"api_key", "sk-x"}, {"model", "m"}}).status, 201);
  const auto new_key = crypto::Fernet::generate_key();
  const auto command = [&](const std::string& keys) {
    return run("CXCO_DATABASE_URL='" + server->database().url() + "' CXCO_ENCRYPTION_KEYS='" + keys + "' " +
               CXCO_BINARY + " admin rotate-encryption 2>/dev/null");
  };
  const auto [out, status] = command(new_key + "," + kHarnessKey);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(json::parse(out), (json::object{{"rotated", 1}, {"current", 0}, {"unreadable", 0}}));
  EXPECT_TRUE(crypto::MultiFernet::from_key_list(new_key)->decrypt(stored_token("llm")).has_value());

  // Secrets no configured key reads: reported, and the exit status says keep the old keys.
  const auto [failed_out, failed_status] = command(crypto::Fernet::generate_key());
  EXPECT_EQ(failed_status, 1);
  EXPECT_EQ(json::parse(failed_out).at("unreadable").as_int64(), 1);
}

// Live provider calls act with the company's stored credentials, else the platform's.
TEST(CredentialsLive, ProviderCallsUseTheCompanysCredentials) {
  FakeElevenLabs fake("company-el-key");
  TestServer server([&](auto& v) {
    v["CXCO_PROVIDER_MODE"] = "live";
    v["CXCO_ELEVENLABS_BASE_URL"] = fake.base_url();
    v["CXCO_ELEVENLABS_API_KEY"] = "platform-key-the-fake-refuses";
    v["CXCO_ELEVENLABS_WEBHOOK_SECRET"] = "wsec_test";
  });
  auto db = store::Database::open(server.database().url(), 1);
  ASSERT_EQ(server
                .admin("POST", "/api/admin/phone-numbers",
                       json::object{
                           {"numbers", json::array{json::object{{"number", "+27211234567"}, {"country_code", "ZA"}},
                                                   json::object{{"number", "+27211234568"}, {"country_code", "ZA"}}}}})
                .status,
            201);
  auto publish_one = [&](const TestServer::Account& user) {
    auto a = server.post("/api/agents/", user.key,
                         json::object{{"name", "A"}, {"personality", "P"}, {"opening_line", "O"}, {"voice_id", 1}});
    return server.request("POST", "/api/agents/" + std::to_string(a.json.at("id").as_int64()) + "/publish", user.key);
  };

  const auto acme = server.create_company("Acme");
  const auto acme_user = server.create_user(acme.key, "jane@acme.com");
  for (const auto& [slug, credentials] :
       std::vector<std::pair<std::string, json::object>>{{"elevenlabs", {{"api_key", "company-el-key"}}},
                                                         {"sip_trunk",
                                                          {{"address", "sip.carrier.example.com"},
                                                           {"transport", "tls"},
                                                           {"username", "acme"},
                                                           {"password", "trunk-secret"}}}})
    ASSERT_EQ(server
                  .post("/api/providers/" + slug + "/credentials", acme.key,
                        json::object{{"company_id", acme.id}, {"credentials", credentials}})
                  .status,
              201);
  auto published = publish_one(acme_user);
  ASSERT_EQ(published.status, 200) << published.body;
  const auto external_number = db->read([&](store::Tx& tx) {
    return tx
        .one("SELECT external_number_id FROM phone_numbers WHERE id = ?",
             {published.json.at("phone_number").at("id").as_int64()})
        ->str("external_number_id");
  });
  const auto number = fake.number(external_number);
  ASSERT_TRUE(number.has_value());
  const auto& trunk = number->at("outbound_trunk_config");
  EXPECT_EQ(trunk.at("address"), "sip.carrier.example.com");
  EXPECT_EQ(trunk.at("transport"), "tls");
  EXPECT_EQ(trunk.at("credentials"), (json::object{{"username", "acme"}, {"password", "trunk-secret"}}));

  // A company without stored credentials acts with the platform key, which this fake refuses.
  const auto other = server.create_company("Other");
  const auto other_user = server.create_user(other.key, "joe@other.com");
  EXPECT_EQ(publish_one(other_user).status, 502);
  EXPECT_EQ(fake.agent_count(), 1u);
}

}  // namespace cxco::test
