// HTML text extraction with libxml2's forgiving HTML parser.
//
// What counts as content: everything a reader sees in the page body, minus the parts that
// repeat on every page of a site (navigation, banners, footers, sidebars) and the parts no
// reader sees (scripts, styles, hidden elements, forms). Repeated boilerplate would otherwise
// match every query and crowd out the real answer.
//
// Title and sections: the title is <title>, else the first <h1>. Every heading h1-h6 starts a
// new Block whose heading_path lists the enclosing headings, outermost first. The document
// title is not a path element: when the first <h1> repeats the title (equal, or the title is
// "<h1> - Site name" / "Site name | <h1>"), that <h1> only closes the text before it and the
// sections under it start at the top level.
//
// The tree is walked without recursion (parent/next pointers plus a byte per open element),
// so a hostile page nested 100,000 levels deep costs memory, not the stack.
#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "charset.h"
#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

// Pages beyond this are not web pages but data dumps; refusing them keeps memory bounded.
constexpr size_t kMaxHtmlBytes = 64u << 20;
constexpr size_t kMetaScanBytes = 4 * 1024;
constexpr size_t kMaxLinks = 10000;
constexpr size_t kMaxLinkBytes = 4096;
constexpr size_t kMaxAttributeBytes = 4096;
constexpr size_t kMaxHeadingBytes = 4096;

// ---- libxml2 plumbing -------------------------------------------------------------------

void DropGenericError(void* /*context*/, const char* /*format*/, ...) {}
void DropStructuredError(void* /*context*/, xmlErrorPtr /*error*/) {}

// libxml2 prints parse errors through per-thread handlers even with HTML_PARSE_NOERROR in
// some paths (encoding, memory). Silences them for one parse and restores the caller's.
class ScopedLibxmlSilence {
 public:
  ScopedLibxmlSilence()
      : generic_(xmlGenericError),
        generic_context_(xmlGenericErrorContext),
        structured_(xmlStructuredError),
        structured_context_(xmlStructuredErrorContext) {
    xmlSetGenericErrorFunc(nullptr, DropGenericError);
    xmlSetStructuredErrorFunc(nullptr, DropStructuredError);
  }
  ~ScopedLibxmlSilence() {
    xmlSetGenericErrorFunc(generic_context_, generic_);
    xmlSetStructuredErrorFunc(structured_context_, structured_);
  }
  ScopedLibxmlSilence(const ScopedLibxmlSilence&) = delete;
  ScopedLibxmlSilence& operator=(const ScopedLibxmlSilence&) = delete;

 private:
  xmlGenericErrorFunc generic_;
  void* generic_context_;
  xmlStructuredErrorFunc structured_;
  void* structured_context_;
};

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

std::string_view Name(const xmlNode* node) {
  return node->name == nullptr ? std::string_view() : reinterpret_cast<const char*>(node->name);
}

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

// Value of attribute `name`, cut at `max_bytes`; nullopt when absent.
std::optional<std::string> Attribute(const xmlNode* node, std::string_view name,
                                     size_t max_bytes = kMaxAttributeBytes) {
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->name == nullptr || !EqualsNoCase(reinterpret_cast<const char*>(attr->name), name)) {
      continue;
    }
    std::string value;
    for (const xmlNode* child = attr->children; child != nullptr; child = child->next) {
      if (child->content == nullptr) continue;
      const std::string_view piece(reinterpret_cast<const char*>(child->content));
      value.append(piece.substr(0, max_bytes - std::min(max_bytes, value.size())));
    }
    return value;
  }
  return std::nullopt;
}

template <size_t N>
bool OneOf(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// ---- element classes ----------------------------------------------------------------------

// Never visible text, or chrome rather than content.
constexpr std::string_view kSkippedTags[] = {
    "script", "style",  "noscript", "template", "svg",    "math",     "form",     "nav",
    "aside",  "iframe", "object",   "embed",    "canvas", "select",   "textarea", "button",
    "input",  "dialog", "map",      "audio",    "video",  "frameset", "noframes"};
// Page-level banner and footer; inside an article or section they belong to the content.
constexpr std::string_view kLandmarkTags[] = {"header", "footer"};
constexpr std::string_view kSectioningTags[] = {"article", "main", "section"};
constexpr std::string_view kParagraphTags[] = {
    "p",       "div",     "section", "article",  "main",    "blockquote", "pre",
    "ul",      "ol",      "dl",      "table",    "figure",  "figcaption", "address",
    "details", "summary", "hr",      "fieldset", "center",  "body",       "hgroup",
    "header",  "footer",  "menu",    "dir",      "listing", "xmp",        "plaintext"};
constexpr std::string_view kLineTags[] = {"li", "dt",      "dd", "tr",     "td",
                                          "th", "caption", "br", "legend", "option"};
// ARIA landmark roles of navigation, banners and footers.
constexpr std::string_view kSkippedRoles[] = {"navigation",    "banner", "contentinfo",
                                              "complementary", "search", "menubar"};
// class tokens that mark navigation in common site generators (Sphinx, MkDocs, Bootstrap,
// WordPress). Whole tokens only: "footer" but not "has-footer".
constexpr std::string_view kNavClassTokens[] = {
    "related",     "footer",      "sidebar", "sphinxsidebar", "navbar",
    "breadcrumb",  "breadcrumbs", "toc",     "headerlink",    "skip-link",
    "site-header", "site-footer", "nav",     "navigation",    "cookie-banner"};

int HeadingLevel(std::string_view name) {
  if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') return name[1] - '0';
  return 0;
}

// ---- main-content markers -----------------------------------------------------------------
// A navigation-looking element that contains the page's main content is a layout wrapper
// ("<div class='sidebar-layout'><main>..."), and dropping it would drop the page. A pre-pass
// marks every ancestor of main content in the node's _private field, in O(nodes).

constexpr uintptr_t kHoldsMain = 1;     // <main>, <article>, role="main" below
constexpr uintptr_t kHoldsHeading = 2;  // an <h1> below

uintptr_t Marks(const xmlNode* node) { return reinterpret_cast<uintptr_t>(node->_private); }

void MarkAncestors(xmlNode* node, uintptr_t mark) {
  for (xmlNode* up = node->parent; up != nullptr && up->type == XML_ELEMENT_NODE; up = up->parent) {
    if ((Marks(up) & mark) == mark) break;  // the rest of the chain is marked already
    up->_private = reinterpret_cast<void*>(Marks(up) | mark);
  }
}

// Visits every node below and including `root` in document order without recursion.
template <typename EnterFn, typename ExitFn>
void WalkTree(xmlNode* root, EnterFn enter, ExitFn exit) {
  xmlNode* node = root;
  while (node != nullptr) {
    if (enter(node) && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr) {
      exit(node);
      if (node == root) return;
      if (node->next != nullptr) {
        node = node->next;
        break;
      }
      node = node->parent;
    }
  }
}

// Marks the ancestors of main content and returns the first <h1>, if any.
xmlNode* MarkMainContent(xmlNode* root) {
  xmlNode* first_h1 = nullptr;
  WalkTree(
      root,
      [&first_h1](xmlNode* node) {
        if (node->type != XML_ELEMENT_NODE) return false;
        const std::string_view name = Name(node);
        if (name == "main" || name == "article") {
          MarkAncestors(node, kHoldsMain);
        } else if (name == "h1") {
          MarkAncestors(node, kHoldsHeading);
          if (first_h1 == nullptr) first_h1 = node;
        } else if (auto role = Attribute(node, "role"); role && EqualsNoCase(*role, "main")) {
          MarkAncestors(node, kHoldsMain);
        }
        return true;
      },
      [](xmlNode*) {});
  return first_h1;
}

// All text below `node`, bounded: for a heading that may sit in dropped page chrome.
std::string SubtreeText(xmlNode* node) {
  std::string text;
  WalkTree(
      node,
      [&text](xmlNode* n) {
        if (n->type == XML_TEXT_NODE && n->content != nullptr && text.size() < kMaxHeadingBytes) {
          text.append(reinterpret_cast<const char*>(n->content));
        }
        return n->type == XML_ELEMENT_NODE && Name(n) != "script" && Name(n) != "style";
      },
      [](xmlNode*) {});
  return MakeTitle(text.substr(0, kMaxHeadingBytes));
}

// ---- the walker ------------------------------------------------------------------------------

class HtmlExtractor {
 public:
  explicit HtmlExtractor(ParsedDocument* out) : out_(out), text_(&budget_) {}

  void Run(xmlNode* root) {
    // Without <title>, the first <h1> is the title, even when it sits in a dropped page
    // header ("<header><h1>Guide</h1><nav>...").
    if (xmlNode* h1 = MarkMainContent(root); h1 != nullptr) first_h1_ = SubtreeText(h1);
    WalkTree(
        root, [this](xmlNode* node) { return Enter(node); }, [this](xmlNode* node) { Exit(node); });
    FlushBlock();
    if (out_->title.empty()) out_->title = first_h1_;
  }

 private:
  enum Flags : uint8_t {
    kSkip = 1,
    kHeading = 2,
    kPre = 4,
    kSectioning = 8,
    kParagraph = 16,
    kLine = 32,
  };

  bool Enter(xmlNode* node) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      AddText(node);
      return false;
    }
    if (node->type != XML_ELEMENT_NODE) return false;
    const std::string_view name = Name(node);
    if (name == "a") CollectLink(node);  // navigation links still matter to the web crawler
    uint8_t flags = 0;
    if (skip_depth_ == 0 && IsBoilerplate(node, name)) {
      flags |= kSkip;
    } else if (skip_depth_ == 0 && name == "title") {
      if (out_->title.empty()) out_->title = MakeTitle(ChildText(node));
      flags |= kSkip;
    }
    if (flags & kSkip) {
      ++skip_depth_;
    } else if (skip_depth_ == 0) {
      if (const int level = HeadingLevel(name); level > 0 && heading_level_ == 0) {
        heading_level_ = level;
        heading_text_.clear();
        flags |= kHeading;
      } else if (heading_level_ > 0) {
        // "<h2>A<br>B</h2>" is "A B"; inline tags such as <code> join without a space.
        if (OneOf(name, kParagraphTags) || OneOf(name, kLineTags)) heading_text_ += ' ';
      } else if (OneOf(name, kParagraphTags)) {
        text_.ParagraphBreak();
        flags |= kParagraph;
      } else if (OneOf(name, kLineTags)) {
        text_.LineBreak();
        flags |= kLine;
      }
      if (name == "pre" || name == "listing" || name == "xmp" || name == "plaintext") {
        ++pre_depth_;
        flags |= kPre;
      }
      if (OneOf(name, kSectioningTags) || IsRoleMain(node)) {
        ++sectioning_depth_;
        flags |= kSectioning;
      }
    }
    open_flags_.push_back(flags);
    return true;
  }

  void Exit(xmlNode* node) {
    if (node->type != XML_ELEMENT_NODE || open_flags_.empty()) return;
    const uint8_t flags = open_flags_.back();
    open_flags_.pop_back();
    if (flags & kSkip) --skip_depth_;
    if (flags & kHeading) FinishHeading();
    if (flags & kParagraph) text_.ParagraphBreak();
    if (flags & kLine) text_.LineBreak();
    if (flags & kPre) --pre_depth_;
    if (flags & kSectioning) --sectioning_depth_;
  }

  static bool IsRoleMain(const xmlNode* node) {
    auto role = Attribute(node, "role");
    return role && EqualsNoCase(*role, "main");
  }

  bool IsBoilerplate(const xmlNode* node, std::string_view name) const {
    if (OneOf(name, kSkippedTags)) {
      // nav/aside that wrap the main content are layout, not navigation.
      return !((name == "nav" || name == "aside") && (Marks(node) & kHoldsMain));
    }
    if (OneOf(name, kLandmarkTags) && sectioning_depth_ == 0 && !(Marks(node) & kHoldsMain)) {
      return true;
    }
    if (node->properties == nullptr) return false;
    if (Attribute(node, "hidden")) return true;
    if (auto aria = Attribute(node, "aria-hidden");
        aria && EqualsNoCase(TrimAscii(*aria), "true")) {
      return true;
    }
    if (auto style = Attribute(node, "style")) {
      std::string compact = LowerAscii(*style);
      std::erase_if(compact, [](char c) { return c == ' ' || c == '\t' || c == '\n'; });
      if (compact.find("display:none") != std::string::npos ||
          compact.find("visibility:hidden") != std::string::npos) {
        return true;
      }
    }
    // Heuristics from here on: never at the cost of the page's main content.
    if (Marks(node) & (kHoldsMain | kHoldsHeading)) return false;
    if (auto role = Attribute(node, "role")) {
      if (OneOf(LowerAscii(TrimAscii(*role)), kSkippedRoles)) return true;
    }
    if (auto classes = Attribute(node, "class")) {
      for (const std::string& token : SplitNonEmpty(LowerAscii(*classes), ' ')) {
        if (OneOf(std::string_view(TrimAscii(token)), kNavClassTokens)) return true;
      }
    }
    return false;
  }

  static std::string ChildText(const xmlNode* node) {
    std::string text;
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type == XML_TEXT_NODE && child->content != nullptr) {
        text.append(reinterpret_cast<const char*>(child->content));
        if (text.size() > kMaxHeadingBytes) break;
      }
    }
    return text;
  }

  void AddText(const xmlNode* node) {
    if (skip_depth_ > 0 || node->content == nullptr) return;
    const std::string_view content(reinterpret_cast<const char*>(node->content));
    if (heading_level_ > 0) {
      if (heading_text_.size() < kMaxHeadingBytes) {
        heading_text_.append(content.substr(0, kMaxHeadingBytes));
      }
    } else if (pre_depth_ > 0) {
      text_.AddLines(content);
    } else {
      text_.AddText(content);
    }
  }

  void FinishHeading() {
    const int level = heading_level_;
    heading_level_ = 0;
    std::string heading = MakeTitle(heading_text_);
    if (heading.empty()) return;
    bool is_title = false;
    if (level == 1 && !seen_h1_) {
      seen_h1_ = true;
      is_title = RepeatsTitle(heading, out_->title.empty() ? first_h1_ : out_->title);
    }
    FlushBlock();
    while (!headings_.empty() && headings_.back().first >= level) headings_.pop_back();
    if (!is_title) headings_.emplace_back(level, std::move(heading));
  }

  // Whether the heading is the title, alone or with the site name before or after it.
  static bool RepeatsTitle(std::string_view heading, std::string_view title) {
    const std::string h = NormalizeForMatch(heading);
    const std::string t = NormalizeForMatch(title);
    if (h.empty()) return false;
    if (h == t) return true;
    const auto separator_at = [&](size_t pos) {
      const char c = t[pos];
      return c == ' ' || c == '-' || c == '|' || c == ':' || c == ',' ||
             static_cast<unsigned char>(c) >= 0x80;  // em dash, middle dot, ...
    };
    if (t.size() > h.size() && t.starts_with(h) && separator_at(h.size())) return true;
    if (t.size() > h.size() && t.ends_with(h) && separator_at(t.size() - h.size() - 1)) {
      return true;
    }
    return false;
  }

  void FlushBlock() {
    if (text_.empty()) return;
    Block block;
    for (const auto& [level, heading] : headings_) block.heading_path.push_back(heading);
    block.text = text_.Take();
    out_->blocks.push_back(std::move(block));
  }

  void CollectLink(const xmlNode* node) {
    if (out_->links.size() >= kMaxLinks) return;
    auto href = Attribute(node, "href", kMaxLinkBytes + 1);
    if (!href || href->size() > kMaxLinkBytes) return;
    std::string link(TrimAscii(*href));
    const std::string lower = LowerAscii(link.substr(0, 16));
    if (link.empty() || link.front() == '#' || lower.starts_with("javascript:") ||
        lower.starts_with("data:") || lower.starts_with("vbscript:") ||
        lower.starts_with("mailto:") || lower.starts_with("tel:")) {
      return;
    }
    link = SanitizeUtf8(link);
    if (seen_links_.insert(link).second) out_->links.push_back(std::move(link));
  }

  ParsedDocument* out_;
  size_t budget_ = kMaxDocumentTextBytes;
  TextBuilder text_;
  std::vector<uint8_t> open_flags_;  // one entry per open element
  int skip_depth_ = 0;
  int pre_depth_ = 0;
  int sectioning_depth_ = 0;
  int heading_level_ = 0;
  std::string heading_text_;
  bool seen_h1_ = false;  // the first <h1> outside page chrome has been seen
  std::string first_h1_;  // text of the document's first <h1>, chrome or not
  std::vector<std::pair<int, std::string>> headings_;
  std::unordered_set<std::string> seen_links_;
};

// ---- charset ---------------------------------------------------------------------------------

// A declared charset, as the HTML standard reads it: a <meta> cannot really mean UTF-16 (it
// was readable as ASCII), and "UTF-8" on bytes that are not UTF-8 is a common server
// misconfiguration that the detector corrects better than replacement characters would.
std::string UsableDeclaredCharset(std::string_view label, std::string_view body, bool from_meta) {
  std::string charset = CanonicalCharset(label);
  if (charset.empty()) return "";
  if (from_meta && (charset.starts_with("UTF-16") || charset.starts_with("UTF-32"))) {
    charset = "UTF-8";
  }
  if (charset == "UTF-8" && !IsValidUtf8(body)) return "";
  return charset;
}

// Decides the charset (BOM, then the caller's hint, then <meta>, then UTF-8 if valid, then
// ICU's guess) and returns the page as UTF-8. The BOM goes first, as in browsers: it cannot
// appear by accident, while HTTP headers are often server defaults.
std::string DecodeHtml(std::string_view bytes, std::string_view charset_hint) {
  size_t bom_length = 0;
  std::string charset = BomCharset(bytes, &bom_length);
  const std::string_view body = bytes.substr(bom_length);
  if (charset.empty() && !charset_hint.empty()) {
    charset = UsableDeclaredCharset(charset_hint, body, /*from_meta=*/false);
  }
  if (charset.empty()) {
    const std::string meta = FindMetaCharset(body.substr(0, kMetaScanBytes));
    if (!meta.empty()) charset = UsableDeclaredCharset(meta, body, /*from_meta=*/true);
  }
  if (charset.empty()) charset = IsValidUtf8(body) ? "UTF-8" : GuessCharset(body, true);
  std::string utf8 = ConvertToUtf8(body, charset);
  // libxml2 treats NUL as the end of input in places; a NUL is never meaningful text.
  std::erase(utf8, '\0');
  return utf8;
}

Result<ParsedDocument> ParseHtmlUnchecked(std::string_view bytes, std::string_view charset_hint) {
  if (bytes.size() > kMaxHtmlBytes) {
    return Fail(ErrorCode::kResourceExhausted, "HTML page larger than 64 MiB");
  }
  static std::once_flag init_once;
  std::call_once(init_once, [] { xmlInitParser(); });

  const std::string utf8 = DecodeHtml(bytes, charset_hint);
  ParsedDocument parsed;
  parsed.mime = "text/html";
  if (TrimAscii(utf8).empty()) return parsed;

  ScopedLibxmlSilence silence;
  // The text is UTF-8 already (decoded above with ICU, one decoder for every path), so the
  // parser is told so and must ignore the page's own <meta charset>.
  const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                      HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT |
                      XML_PARSE_HUGE;
  std::unique_ptr<xmlDoc, DocFree> doc(
      htmlReadMemory(utf8.data(), static_cast<int>(utf8.size()), nullptr, "UTF-8", options));
  if (doc == nullptr) return Fail(ErrorCode::kParse, "unreadable HTML");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return parsed;

  HtmlExtractor(&parsed).Run(root);
  return parsed;
}

}  // namespace

Result<ParsedDocument> ParseHtml(std::string_view bytes, std::string_view charset_hint) {
  try {
    return ParseHtmlUnchecked(bytes, charset_hint);
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceExhausted, "out of memory while parsing HTML");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("HTML parser failed: ") + e.what());
  }
}

}  // namespace wissen::crawler
