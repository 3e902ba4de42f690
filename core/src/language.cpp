#include "wissen/core/language.h"

namespace wissen {

std::string DetectLanguage(std::string_view) { return ""; }  // replaced by the real detector

}  // namespace wissen
