#include "wissen/core/document.h"

namespace wissen {

std::string PublicUri(std::string_view source, std::string_view path, std::string_view uri) {
  if (!uri.starts_with("file:")) return std::string(uri);
  return std::string(source) + ":" + std::string(path);
}

}  // namespace wissen
