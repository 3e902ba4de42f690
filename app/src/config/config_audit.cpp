// Parses [audit]: the audit trail's key, question storage and retention.
#include <string>

#include "config_reader.h"

namespace wissen::app::internal {

void ReadAudit(Reader& r, const toml::table& root, const std::filesystem::path& base,
               Config* config) {
  AuditConfig& audit = config->audit;
  std::string key_file;
  if (const toml::table* table = r.Table(root, "audit")) {
    const char* where = "audit";
    r.OnlyKeys(*table, where,
               {"enabled", "key_file", "store_questions", "retention_days", "queue_size"});
    r.Bool(*table, where, "enabled", &audit.enabled);
    r.String(*table, where, "key_file", &key_file);
    r.Bool(*table, where, "store_questions", &audit.store_questions);
    r.Integer(*table, where, "retention_days", &audit.retention_days, 1, 36500);
    r.Integer(*table, where, "queue_size", &audit.queue_size, 1, 10000000);
    if (table->contains("key_file") && key_file.empty()) {
      r.Problem("audit.key_file", "expected a file name (leave the key out for the default)");
    }
  }
  audit.key_file = key_file.empty() ? config->data_dir / "audit.key" : Resolve(base, key_file);
}

}  // namespace wissen::app::internal
