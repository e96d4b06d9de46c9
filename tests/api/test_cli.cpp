// The `cxco` command line: help on every command, and bad configuration that stops start-up
// with one line naming the variable and exit status 2.
#include <sys/wait.h>

#include <cstdio>

#include "harness.h"

namespace cxco::test {

namespace {

struct Run {
  int status = -1;
  std::string output;  // stdout and stderr together
};

Run run_cxco(const std::string& args, const std::string& env = "") {
  const std::string cmd = "env -i PATH=/usr/bin:/bin " + env + " " + CXCO_BINARY + " " + args + " 2>&1";
  Run r;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int status = pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return r;
}

}  // namespace

TEST(Cli, EveryCommandHasHelp) {
  for (const auto* cmd :
       {"--help", "serve --help", "migrate --help", "admin --help", "admin create-company --help",
        "admin rotate-company-key --help", "admin import-numbers --help", "dev simulate-call --help"}) {
    const auto r = run_cxco(cmd);
    EXPECT_EQ(r.status, 0) << cmd;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << cmd << ": " << r.output;
  }
}

TEST(Cli, BadConfigurationNamesTheVariableAndExits2) {
  TestDatabase db;
  const std::string dir = db.dir().string();
  struct Case {
    std::string env, args, variable;
  };
  const std::vector<Case> cases = {
      {"", "--database-url mysql://localhost/x migrate", "CXCO_DATABASE_URL"},
      {"CXCO_DATABASE_URL=redis://x", "migrate", "CXCO_DATABASE_URL"},
      {"CXCO_DATABASE_URL=sqlite://" + dir + "/a.db CXCO_ENCRYPTION_KEYS=not-a-fernet-key", "serve",
       "CXCO_ENCRYPTION_KEYS"},
      {"CXCO_DATABASE_URL=sqlite://" + dir + "/b.db CXCO_PROVIDER_MODE=sometimes", "serve", "CXCO_PROVIDER_MODE"},
      {"CXCO_DATABASE_URL=sqlite://" + dir + "/c.db CXCO_LISTEN=127.0.0.1:99999", "serve", "CXCO_LISTEN"},
      {"CXCO_DATABASE_URL=postgresql://nobody@/x", "serve", "CXCO_ENCRYPTION_KEYS"},
      {"CXCO_DATABASE_URL=sqlite://" + dir + "/d.db CXCO_WEBHOOK_TIMEOUT=soon", "serve", "CXCO_WEBHOOK_TIMEOUT"},
      {"CXCO_DATABASE_URL=sqlite://" + dir + "/e.db CXCO_AUDIT_RETENTION_DAYS=1.5", "serve",
       "CXCO_AUDIT_RETENTION_DAYS"},
      {"CXCO_DATABASE_URL=sqlite://" + dir + "/f.db CXCO_AUDIT_RETENTION_DAYS=-1", "serve",
       "CXCO_AUDIT_RETENTION_DAYS"},
  };
  for (const auto& c : cases) {
    const auto r = run_cxco(c.args, c.env);
    EXPECT_EQ(r.status, 2) << c.env << " " << c.args << ": " << r.output;
    EXPECT_NE(r.output.find(c.variable), std::string::npos) << r.output;
  }
}

TEST(Cli, PortInUseIsAConfigurationError) {
  TestServer server;
  TestDatabase db;
  const auto r = run_cxco("serve", "CXCO_DATABASE_URL=sqlite://" + db.dir().string() +
                                       "/x.db CXCO_LISTEN=127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("CXCO_LISTEN"), std::string::npos) << r.output;
}

TEST(Cli, CreateCompanyAndRotateItsKey) {
  TestDatabase db;
  const std::string env = "CXCO_DATABASE_URL=sqlite://" + db.dir().string() + "/cli.db";
  const auto created = run_cxco("admin create-company --name 'Acme Corp'", env);
  ASSERT_EQ(created.status, 0) << created.output;
  const auto json_start = created.output.find('{');
  ASSERT_NE(json_start, std::string::npos);
  const auto company = boost::json::parse(created.output.substr(json_start));
  EXPECT_EQ(company.at("name"), "Acme Corp");
  EXPECT_EQ(company.at("api_key").as_string().subview(0, 12), "cxco_comp_k_");
  const auto rotated = run_cxco("admin rotate-company-key " + std::to_string(company.at("id").as_int64()), env);
  ASSERT_EQ(rotated.status, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("cxco_comp_k_"), std::string::npos);
  EXPECT_EQ(run_cxco("admin rotate-company-key 999", env).status, 1);
}

}  // namespace cxco::test
