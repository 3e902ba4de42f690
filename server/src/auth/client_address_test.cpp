#include <gtest/gtest.h>

#include "auth/auth.h"

namespace wissen::server {
namespace {

Request From(std::string peer, std::string forwarded = "") {
  Request request;
  request.remote_address = std::move(peer);
  if (!forwarded.empty()) request.headers["x-forwarded-for"] = std::move(forwarded);
  return request;
}

std::vector<CidrRange> Proxies(std::vector<std::string> texts) {
  std::vector<CidrRange> ranges;
  EXPECT_FALSE(ParseCidrs(texts, &ranges));
  return ranges;
}

TEST(ClientAddressTest, WithoutTrustedProxiesTheHeaderIsIgnored) {
  EXPECT_EQ(ClientAddress(From("10.0.0.7", "1.2.3.4"), {}), "10.0.0.7");
}

TEST(ClientAddressTest, ATrustedProxyNamesTheClient) {
  const auto proxies = Proxies({"127.0.0.1/32"});
  EXPECT_EQ(ClientAddress(From("127.0.0.1", "10.1.2.3"), proxies), "10.1.2.3");
  // A client that sends its own X-Forwarded-For cannot choose its address: the proxy
  // appends the real one, and the rightmost untrusted hop counts.
  EXPECT_EQ(ClientAddress(From("127.0.0.1", "6.6.6.6, 10.1.2.3"), proxies), "10.1.2.3");
  // The same header straight from a client is not believed.
  EXPECT_EQ(ClientAddress(From("10.9.9.9", "10.1.2.3"), proxies), "10.9.9.9");
}

TEST(ClientAddressTest, ChainsOfTrustedProxiesAreSkipped) {
  const auto proxies = Proxies({"127.0.0.1/32", "10.0.0.0/24"});
  EXPECT_EQ(ClientAddress(From("127.0.0.1", "192.168.5.5, 10.0.0.2"), proxies), "192.168.5.5");
  EXPECT_EQ(ClientAddress(From("127.0.0.1", "10.0.0.2"), proxies), "127.0.0.1");
}

}  // namespace
}  // namespace wissen::server
