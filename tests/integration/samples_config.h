// The wissen.toml the integration tests index samples/ with: a fresh database, a data dir
// beside the config, and the samples' access rules (hr/ → hr, rnd/ → rnd, public/ →
// everyone), as samples/wissen.toml has them.
#pragma once

#include <filesystem>
#include <string>

namespace wissen::testing {

inline std::string SamplesConfigToml(const std::string& database_url,
                                     const std::filesystem::path& root,
                                     const std::string& extra_sections = "") {
  return "[data]\ndir = \"data\"\n[database]\nurl = \"" + database_url + "\"\n" + extra_sections +
         "[[sources]]\nname = \"samples\"\nkind = \"fs\"\nroot = \"" + root.string() + R"("
include = ["**/*.pdf", "**/*.html", "**/*.htm", "**/*.txt", "**/*.md"]
exclude = ["src/**", "README.md"]
  [[sources.acl]]
  match = "hr/**"
  roles = ["hr"]
  [[sources.acl]]
  match = "rnd/**"
  roles = ["rnd"]
  [[sources.acl]]
  match = "public/**"
  roles = ["everyone"]
)";
}

}  // namespace wissen::testing
