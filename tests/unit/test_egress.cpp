// http/egress: which addresses and URLs a tenant may make CXCo connect to.
#include <gtest/gtest.h>

#include "http/egress.h"

namespace cxco::http {

TEST(Egress, PublicAddressesOnly) {
  for (const char* ip : {"93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822",
                         "2002:5db8:d822::1"})
    EXPECT_TRUE(is_public_address(ip)) << ip;
  for (const char* ip : {"127.0.0.1",
                         "10.0.0.1",
                         "172.16.5.4",
                         "192.168.1.1",
                         "169.254.169.254",
                         "100.64.0.1",
                         "0.0.0.0",
                         "255.255.255.255",
                         "224.0.0.1",
                         "198.18.0.1",
                         "192.0.2.1",
                         "203.0.113.9",
                         "::1",
                         "::",
                         "fe80::1",
                         "fc00::1",
                         "fd12::1",
                         "ff02::1",
                         "2001:db8::1",
                         "::ffff:127.0.0.1",
                         "::127.0.0.1",
                         "64:ff9b::7f00:1",
                         "64:ff9b::a9fe:a9fe",
                         "64:ff9b:1::1",
                         "2002:7f00:1::",
                         "2002:a9fe:a9fe::",
                         "2001:0:4136:e378::1",
                         "fec0::1",
                         "100::1",
                         "not an address"})
    EXPECT_FALSE(is_public_address(ip)) << ip;
}

TEST(Egress, TenantUrlsAreCheckedWithoutResolvingNames) {
  EXPECT_EQ(check_tenant_url("https://hooks.example.com/cxco", false), std::nullopt);
  EXPECT_EQ(check_tenant_url("https://[2606:4700::1111]/x", false), std::nullopt);
  for (const char* url : {"http://hooks.example.com/x", "https://127.1/x", "https://2130706433/x", "https://0x7f.1/x",
                          "https://[::ffff:10.0.0.1]/x", "https://localhost/x", "https://LOCALHOST./x",
                          "https://db.internal/x", "https://printer.local/x", "https://1.0.0.127.in-addr.arpa/x",
                          "https://intranet/x", "https://u:p@hooks.example.com/x", "not a url"})
    EXPECT_NE(check_tenant_url(url, false), std::nullopt) << url;
  // Development and tests: anything http(s) goes.
  EXPECT_EQ(check_tenant_url("http://127.0.0.1:8080/x", true), std::nullopt);
  EXPECT_NE(check_tenant_url("ftp://127.0.0.1/x", true), std::nullopt);
}

TEST(Egress, ConnectionsToTenantUrlsAreCheckedOnTheAddressUsed) {
  const auto check = tenant_connections(false);
  ASSERT_TRUE(check);
  EXPECT_FALSE(check("127.0.0.1"));
  EXPECT_TRUE(check("93.184.216.34"));
  EXPECT_FALSE(tenant_connections(true)) << "allow_private checks nothing";
}

}  // namespace cxco::http
