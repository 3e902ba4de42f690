// Error and Result<T>: how failures cross module boundaries.
//
// Expected outcomes (not found, empty, unchanged) are values, not errors. An Error carries a
// code the server maps to an HTTP status and a message safe to show to the caller: never
// document text, SQL or stack traces.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace wissen {

enum class ErrorCode {
  kInvalidArgument,    // the caller's input is wrong (bad query, bad config value)
  kNotFound,           // a named thing does not exist (or may not be revealed)
  kPermissionDenied,   // authenticated, but not allowed
  kUnauthenticated,    // no or wrong credentials
  kConflict,           // the operation clashes with the current state (crawl already running)
  kResourceExhausted,  // quota, rate limit, size limit
  kUnavailable,        // a dependency (database, model server) cannot be reached; may retry
  kTimeout,            // a dependency did not answer in time
  kParse,              // untrusted input could not be parsed (corrupt PDF, garbage JSON)
  kUnsupported,        // the input is of a kind we do not handle (encrypted PDF, binary file)
  kIo,                 // file system error
  kConfig,             // configuration is invalid
  kInternal,           // a bug or an unexpected library failure
};

// Short stable name of a code, for logs and JSON ("invalid_argument", ...).
const char* ErrorCodeName(ErrorCode code);

struct [[nodiscard]] Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // "code: message", for logs and CLI output.
  std::string ToString() const;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for building the error side of a Result: `return Fail(ErrorCode::kIo, "...");`
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

}  // namespace wissen
