// Language identification for the two languages Wissen stems and answers in.
#pragma once

#include <string>
#include <string_view>

namespace wissen {

// Returns "de" or "en" for text that is clearly one of them, "" when there is too little
// text to tell. Cheap (function-word counts plus German-specific letters); meant for
// documents and questions, not single words. Thread-safe.
std::string DetectLanguage(std::string_view text);

}  // namespace wissen
