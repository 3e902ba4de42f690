// Structured logging: one JSON object per line on stderr (journald or cron collect it).
//
// Never log document text or raw query text: log ids, hashes, counts and reasons.
// Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace wissen::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// Messages below `level` are dropped. Default: kInfo.
void SetLevel(Level level);
Level GetLevel();
// Parses "debug", "info", "warn", "error", "off"; returns false on anything else.
bool ParseLevel(std::string_view text, Level* level);

// Emits {"ts": ISO-8601, "level": ..., "event": event, ...fields}.
void Write(Level level, std::string_view event, const nlohmann::json& fields = {});

inline void Debug(std::string_view event, const nlohmann::json& fields = {}) {
  Write(Level::kDebug, event, fields);
}
inline void Info(std::string_view event, const nlohmann::json& fields = {}) {
  Write(Level::kInfo, event, fields);
}
inline void Warn(std::string_view event, const nlohmann::json& fields = {}) {
  Write(Level::kWarn, event, fields);
}
inline void Error(std::string_view event, const nlohmann::json& fields = {}) {
  Write(Level::kError, event, fields);
}

}  // namespace wissen::log
