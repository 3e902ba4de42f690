// The wissen.toml the integration tests index samples/ with: a fresh database, a data dir
// beside the config, and the [[sources]] part of samples/wissen.toml (the one description of
// the samples' source and access rules: hr/ → hr, rnd/ → rnd, public/ → everyone) with the
// given root. Needs WISSEN_SOURCE_DIR. The shell and Python harnesses use
// scripts/samples-sources for the same.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace wissen::testing {

inline std::string SamplesConfigToml(const std::string& database_url,
                                     const std::filesystem::path& root,
                                     const std::string& extra_sections = "") {
  const std::filesystem::path samples_config =
      std::filesystem::path(WISSEN_SOURCE_DIR) / "samples" / "wissen.toml";
  std::ifstream in(samples_config);
  std::stringstream text;
  text << in.rdbuf();
  std::string sources = text.str();
  const size_t start = sources.find("\n[[sources]]");
  const std::string relative_root = "root = \".\"";
  const size_t root_at = sources.find(relative_root);
  if (start == std::string::npos || root_at == std::string::npos) {
    throw std::runtime_error(samples_config.string() + ": no [[sources]] with root \".\"");
  }
  sources.replace(root_at, relative_root.size(), "root = \"" + root.string() + "\"");
  return "[data]\ndir = \"data\"\n[database]\nurl = \"" + database_url + "\"\n" + extra_sections +
         sources.substr(start + 1);
}

}  // namespace wissen::testing
