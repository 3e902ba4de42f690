// docs/openapi.yaml must describe exactly the routes the server answers: a route added
// without documentation, or documentation left behind by a removed route, fails here.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <set>
#include <string>
#include <utility>

#include "wissen/server/http_server.h"

namespace wissen::server {
namespace {

using MethodPath = std::pair<std::string, std::string>;  // {"get", "/healthz"}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Reads just enough YAML: under the top-level `paths:` key, a path is a 2-space indented key
// starting with "/", an operation a 4-space indented HTTP method key below it.
std::set<MethodPath> DocumentedOperations(std::istream& in) {
  static const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                                 "options", "head", "patch", "trace"};
  std::set<MethodPath> found;
  bool in_paths = false;
  std::string path;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.find_first_not_of(' ') == std::string::npos) continue;
    const size_t indent = line.find_first_not_of(' ');
    if (line[indent] == '#') continue;
    if (indent == 0) {
      in_paths = line.rfind("paths:", 0) == 0;
      path.clear();
      continue;
    }
    if (!in_paths) continue;
    const size_t colon = line.find(':', indent);
    if (colon == std::string::npos) continue;
    std::string key = line.substr(indent, colon - indent);
    if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') &&
        key.back() == key.front()) {
      key = key.substr(1, key.size() - 2);
    }
    if (indent == 2) {
      path = key.rfind('/', 0) == 0 ? key : "";
    } else if (indent == 4 && !path.empty() && kMethods.contains(key)) {
      found.emplace(key, path);
    }
  }
  return found;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(std::string(WISSEN_SOURCE_DIR) + "/docs/openapi.yaml");
    ASSERT_TRUE(in) << "cannot read docs/openapi.yaml";
    documented_ = DocumentedOperations(in);
    for (const auto& [method, path] : HttpServer::Routes()) routes_.emplace(Lower(method), path);
  }

  std::set<MethodPath> documented_;
  std::set<MethodPath> routes_;
};

TEST_F(OpenApiTest, ParserFindsOperations) {
  // Guards the hand-made parser: an empty result would make both checks below vacuous.
  EXPECT_FALSE(routes_.empty());
  EXPECT_GE(documented_.size(), routes_.size());
}

TEST_F(OpenApiTest, EveryRouteIsDocumented) {
  for (const auto& [method, path] : routes_) {
    EXPECT_TRUE(documented_.contains({method, path}))
        << method << " " << path << " is served but missing from docs/openapi.yaml";
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsServed) {
  for (const auto& [method, path] : documented_) {
    EXPECT_TRUE(routes_.contains({method, path}))
        << method << " " << path << " is in docs/openapi.yaml but the server has no such route";
  }
}

}  // namespace
}  // namespace wissen::server
