// E-mail parsing with GMime 3 (the contract is in mail_parser.h). GMime runs in-process on
// hostile bytes, so what it gets is bounded first (size, header text, lines that can open a
// part, charset names: PrepareMessageInput), every GObject is owned by a GPtr, and the MIME
// tree is walked with an explicit stack; only attached messages recurse, at most max_depth
// (and GMime's own 1024 levels) deep.
#include "mail_parser.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "charset.h"
#include "mail_envelope.h"
#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

constexpr int kMaxMultipartDepth = 32;
constexpr size_t kMaxWarnings = 50;
// libxml2 needs about 40 times an HTML page's size for its tree; no mail body is this large.
constexpr size_t kMaxHtmlBodyBytes = 8u << 20;

// ---- GMime plumbing ------------------------------------------------------------------------

void InitGmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct GObjectUnref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct ParserOptionsFree {
  void operator()(GMimeParserOptions* options) const { g_mime_parser_options_free(options); }
};

std::string_view View(const char* text) {
  return text == nullptr ? std::string_view() : std::string_view(text);
}

std::string Lower(const char* text) { return LowerAscii(TrimAscii(View(text))); }

// The transfer-decoded bytes of a leaf part.
std::string DecodedContent(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GPtr<GMimeStream> sink(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, sink.get()) < 0) return {};
  const GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink.get()));
  if (bytes == nullptr || bytes->len == 0) return {};
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

// ---- reading one message -------------------------------------------------------------------

// What all messages of one document share: the text budget, the part count, the output.
struct DocumentState {
  ParseOptions options;
  ParsedDocument* doc = nullptr;
  size_t budget = kMaxDocumentTextBytes;
  int parts = 0;
  bool text_dropped = false;

  void Warn(std::string warning) {
    if (doc->warnings.size() + 1 < kMaxWarnings) {
      doc->warnings.push_back(SanitizeUtf8(warning));
    } else if (doc->warnings.size() + 1 == kMaxWarnings) {
      doc->warnings.push_back("further warnings omitted");
    }
  }
};

struct BodyPart {
  GMimePart* part;
  bool html;
  std::string text;  // decoded plain text; empty for HTML
};

struct AttachedPart {
  GMimeObject* object;
  std::string name;  // the file name, or a description when the part has none
  bool named;        // `name` is the file name
};

std::string FileName(GMimeObject* object) {
  const char* name = GMIME_IS_PART(object)
                         ? g_mime_part_get_filename(GMIME_PART(object))
                         : g_mime_object_get_content_disposition_parameter(object, "filename");
  if (name == nullptr) name = g_mime_object_get_content_type_parameter(object, "name");
  std::string file_name = OneLine(name);
  // A path from the sender's disk ("C:\Users\anna\Angebot.pdf") names the file by its end.
  const size_t slash = file_name.find_last_of("/\\");
  if (slash != std::string::npos) file_name = std::string(TrimAscii(file_name.substr(slash + 1)));
  return file_name;
}

bool IsMessageType(std::string_view type, std::string_view subtype) {
  return type == "message" && (subtype == "rfc822" || subtype == "global" || subtype == "news");
}

// Text parts for programs rather than readers.
bool IsMachineText(std::string_view subtype) {
  return subtype == "calendar" || subtype == "x-vcalendar" || subtype == "vcard" ||
         subtype == "x-vcard" || subtype == "directory" || subtype == "rfc822-headers";
}

bool IsSignature(std::string_view type, std::string_view subtype) {
  return type == "application" && (subtype == "pgp-signature" || subtype == "pkcs7-signature" ||
                                   subtype == "x-pkcs7-signature" || subtype == "pgp-keys");
}

// Decodes a text part's bytes: a BOM, else the declared charset (UTF-8 only when the bytes
// are UTF-8; "us-ascii", which clients declare without looking, is UTF-8 when the bytes are;
// a label ICU does not know is windows-1252, the likeliest 8-bit charset here), else UTF-8
// when valid, else ICU's guess.
std::string TextOfPart(GMimePart* part) {
  const std::string bytes = DecodedContent(part);
  if (bytes.empty()) return {};
  size_t bom_length = 0;
  if (const std::string bom = BomCharset(bytes, &bom_length); !bom.empty()) {
    return ConvertToUtf8(std::string_view(bytes).substr(bom_length), bom);
  }
  const std::string label =
      Lower(g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset"));
  const bool utf8 = IsValidUtf8(bytes);
  std::string charset = CanonicalCharset(label);
  if (utf8 && (charset == "UTF-8" || label == "us-ascii")) return std::string(bytes);
  if (charset == "UTF-8") charset.clear();  // declared, but it is not
  if (charset.empty() && !label.empty() && !utf8) charset = "windows-1252";
  if (charset.empty()) charset = utf8 ? "UTF-8" : GuessCharset(bytes, /*markup=*/false);
  return ConvertToUtf8(bytes, charset);
}

class MessageReader {
 public:
  // Blocks get `heading_prefix` in front of their heading_path, warnings `warning_prefix`;
  // attachments may nest `depth_left` more levels.
  MessageReader(DocumentState* state, std::vector<std::string> heading_prefix,
                std::string warning_prefix, int depth_left)
      : state_(state),
        heading_prefix_(std::move(heading_prefix)),
        warning_prefix_(std::move(warning_prefix)),
        depth_left_(depth_left) {}

  void Read(GMimeMessage* message) {
    const Envelope envelope(message);
    AddTextBlock(envelope.HeaderLine(), {});
    if (GMimeObject* root = g_mime_message_get_mime_part(message); root != nullptr) Walk(root);
    ReadBody(IsForwardSubject(envelope.subject()));
    for (const AttachedPart& attached : attachments_) {
      if (depth_left_ <= 0) {
        Warn("attachment \"" + attached.name + "\": nested deeper than max_depth, skipped");
      } else if (GMIME_IS_MESSAGE_PART(attached.object)) {
        ReadAttachedMessage(GMIME_MESSAGE_PART(attached.object), attached.name);
      } else {
        ReadAttachment(GMIME_PART(attached.object), attached);
      }
    }
  }

 private:
  void Warn(const std::string& warning) { state_->Warn(warning_prefix_ + warning); }

  // Counts a part; false once the document has used up kMaxMimeParts.
  bool CountPart() {
    if (state_->parts == kMaxMimeParts) {
      state_->Warn("more than " + std::to_string(kMaxMimeParts) +
                   " MIME parts; the remaining parts were skipped");
    }
    return ++state_->parts <= kMaxMimeParts;
  }

  // Sorts the parts below `root` into body_ and attachments_, in document order.
  void Walk(GMimeObject* root) {
    struct Pending {
      GMimeObject* object;
      int depth;  // multipart nesting
    };
    std::vector<Pending> stack{{root, 0}};
    bool depth_warned = false;
    while (!stack.empty()) {
      const Pending pending = stack.back();
      stack.pop_back();
      GMimeObject* object = pending.object;
      if (!CountPart()) return;
      if (GMIME_IS_MULTIPART(object)) {
        if (pending.depth >= kMaxMultipartDepth) {
          if (!depth_warned) {
            Warn("MIME parts nested deeper than " + std::to_string(kMaxMultipartDepth) +
                 " levels were skipped");
          }
          depth_warned = true;
          continue;
        }
        std::vector<GMimeObject*> children = ChildrenToRead(GMIME_MULTIPART(object));
        for (auto it = children.rbegin(); it != children.rend(); ++it) {
          stack.push_back({*it, pending.depth + 1});
        }
      } else if (GMIME_IS_MESSAGE_PART(object)) {
        attachments_.push_back(
            {object, AttachedMessageName(GMIME_MESSAGE_PART(object)), /*named=*/true});
      } else if (GMIME_IS_PART(object)) {
        SortLeaf(GMIME_PART(object), object == root);
      }
    }
  }

  // The children of a multipart that carry content: one version of an alternative, the
  // root of a related (its other parts are the HTML's images), a signed part without its
  // signature; every child of the others.
  std::vector<GMimeObject*> ChildrenToRead(GMimeMultipart* multipart) {
    if (GMIME_IS_MULTIPART_ENCRYPTED(multipart)) {
      Warn("encrypted part skipped");
      return {};
    }
    std::vector<GMimeObject*> children;
    const int count = std::min(g_mime_multipart_get_count(multipart), kMaxMimeParts + 1);
    for (int i = 0; i < count; ++i) {
      if (GMimeObject* child = g_mime_multipart_get_part(multipart, i)) children.push_back(child);
    }
    if (children.empty()) return children;
    const std::string subtype = Lower(g_mime_content_type_get_media_subtype(
        g_mime_object_get_content_type(GMIME_OBJECT(multipart))));
    if (subtype == "alternative") return {ChooseAlternative(children)};
    if (subtype == "signed" || GMIME_IS_MULTIPART_SIGNED(multipart)) return {children.front()};
    if (subtype == "related") {
      std::vector<GMimeObject*> kept{children.front()};
      for (size_t i = 1; i < children.size(); ++i) {
        if (Lower(g_mime_object_get_disposition(children[i])) == "attachment") {
          kept.push_back(children[i]);
        }
      }
      return kept;
    }
    return children;
  }

  // The text/plain version unless it is blank, else the richest (last) other version.
  GMimeObject* ChooseAlternative(const std::vector<GMimeObject*>& versions) {
    GMimeObject* plain = nullptr;
    GMimeObject* rich = nullptr;
    for (GMimeObject* version : versions) {
      GMimeContentType* type = g_mime_object_get_content_type(version);
      if (plain == nullptr && GMIME_IS_PART(version) &&
          g_mime_content_type_is_type(type, "text", "plain")) {
        plain = version;
      } else if (GMIME_IS_MULTIPART(version) || g_mime_content_type_is_type(type, "text", "html")) {
        rich = version;
      }
    }
    if (plain != nullptr &&
        (rich == nullptr || !TrimAscii(TextOfPart(GMIME_PART(plain))).empty())) {
      return plain;
    }
    return rich != nullptr ? rich : versions.front();
  }

  void SortLeaf(GMimePart* part, bool is_root) {
    GMimeObject* object = GMIME_OBJECT(part);
    GMimeContentType* content_type = g_mime_object_get_content_type(object);
    const std::string type = Lower(g_mime_content_type_get_media_type(content_type));
    const std::string subtype = Lower(g_mime_content_type_get_media_subtype(content_type));
    if (IsSignature(type, subtype)) return;
    const std::string file_name = FileName(object);
    const bool attachment = Lower(g_mime_object_get_disposition(object)) == "attachment";
    // GMime leaves an attached message unparsed when it is transfer-encoded.
    const bool message = IsMessageType(type, subtype);
    const bool readable = type == "text" && !IsMachineText(subtype);
    if (attachment || message || (!readable && (!file_name.empty() || is_root))) {
      std::string name = file_name;
      if (name.empty())
        name = message ? "attached message" : "attachment (" + type + "/" + subtype + ")";
      attachments_.push_back({object, std::move(name), !file_name.empty()});
    } else if (readable) {
      const bool html = subtype == "html";
      body_.push_back({part, html, html ? std::string() : TextOfPart(part)});
    }
    // Anything else is an inline resource without a name (a logo, a calendar entry's data,
    // a delivery report's machine part): nothing a reader would look for.
  }

  std::string AttachedMessageName(GMimeMessagePart* part) {
    std::string name = FileName(GMIME_OBJECT(part));
    if (name.empty()) {
      if (GMimeMessage* inner = g_mime_message_part_get_message(part)) {
        name = OneLine(g_mime_message_get_subject(inner));
      }
    }
    return name.empty() ? "attached message" : name;
  }

  // ---- output ------------------------------------------------------------------------------

  // Adds text (lines kept) as one block under the prefix and `headings`.
  void AddTextBlock(std::string_view text, const std::vector<std::string>& headings) {
    if (state_->budget == 0) {
      state_->text_dropped = state_->text_dropped || !TrimAscii(text).empty();
      return;
    }
    TextBuilder builder(&state_->budget);
    builder.AddLines(text);
    if (state_->budget == 0) state_->text_dropped = true;
    if (builder.empty()) return;
    Block block;
    block.heading_path = heading_prefix_;
    block.heading_path.insert(block.heading_path.end(), headings.begin(), headings.end());
    block.text = builder.Take();
    state_->doc->blocks.push_back(std::move(block));
  }

  void ReadBody(bool keep_history) {
    std::string plain;  // consecutive plain parts form one block
    for (const BodyPart& body : body_) {
      if (!body.html) {
        GMimeObject* object = GMIME_OBJECT(body.part);
        const bool flowed =
            Lower(g_mime_object_get_content_type_parameter(object, "format")) == "flowed";
        const bool delsp =
            Lower(g_mime_object_get_content_type_parameter(object, "delsp")) == "yes";
        CollapsedText collapsed =
            CollapseQuotedText(flowed ? UnflowText(body.text, delsp) : body.text, keep_history);
        if (!plain.empty()) plain += "\n\n";
        plain += collapsed.text;
        if (collapsed.history_cut) break;
        continue;
      }
      AddTextBlock(plain, {});
      plain.clear();
      if (ReadHtmlBody(body.part, keep_history)) return;
    }
    AddTextBlock(plain, {});
  }

  // Returns whether the body ended in reply history (nothing after it is read).
  bool ReadHtmlBody(GMimePart* part, bool keep_history) {
    const std::string charset = std::string(
        TrimAscii(View(g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset"))));
    std::string bytes = DecodedContent(part);
    if (bytes.size() > kMaxHtmlBodyBytes) {
      bytes.resize(kMaxHtmlBodyBytes);
      Warn("HTML body longer than " + std::to_string(kMaxHtmlBodyBytes >> 20) +
           " MiB; the rest was skipped");
    }
    Result<ParsedDocument> html = ParseHtml(bytes, charset);
    if (!html) {
      Warn("HTML body: " + html.error().message);
      return false;
    }
    for (const Block& block : html->blocks) {
      CollapsedText collapsed = CollapseQuotedText(block.text, keep_history);
      AddTextBlock(collapsed.text, block.heading_path);
      if (collapsed.history_cut) return true;
    }
    return false;
  }

  void ReadAttachment(GMimePart* part, const AttachedPart& attached) {
    ParseOptions options = state_->options;
    options.max_depth = depth_left_ - 1;
    GMimeObject* object = GMIME_OBJECT(part);
    GMimeContentType* content_type = g_mime_object_get_content_type(object);
    const bool message = IsMessageType(Lower(g_mime_content_type_get_media_type(content_type)),
                                       Lower(g_mime_content_type_get_media_subtype(content_type)));
    const std::string charset =
        std::string(TrimAscii(View(g_mime_object_get_content_type_parameter(object, "charset"))));
    Result<ParsedDocument> parsed =
        message ? ParseEmail(DecodedContent(part), options)
                : ParseDocument(DecodedContent(part), attached.named ? attached.name : "", charset,
                                options);
    std::string name = attached.name;
    if (message && !attached.named && parsed && !parsed->title.empty()) name = parsed->title;
    if (!parsed) {
      Warn("attachment \"" + name + "\": " + parsed.error().message);
      return;
    }
    const std::string label = "attachment \"" + name + (message ? "\" › " : "\": ");
    for (const std::string& warning : parsed->warnings) Warn(label + warning);
    for (const Block& block : parsed->blocks) {
      if (state_->budget == 0) {
        state_->text_dropped = true;
        return;
      }
      Block copy = block;
      if (copy.text.size() > state_->budget) {
        copy.text = std::string(Utf8Prefix(copy.text, state_->budget));
        state_->text_dropped = true;
      }
      state_->budget -= copy.text.size();
      if (TrimAscii(copy.text).empty()) continue;
      copy.heading_path = heading_prefix_;
      copy.heading_path.push_back(name);
      copy.heading_path.insert(copy.heading_path.end(), block.heading_path.begin(),
                               block.heading_path.end());
      state_->doc->blocks.push_back(std::move(copy));
    }
  }

  void ReadAttachedMessage(GMimeMessagePart* part, const std::string& name) {
    GMimeMessage* inner = g_mime_message_part_get_message(part);
    if (inner == nullptr) {
      Warn("attachment \"" + name + "\": empty message");
      return;
    }
    std::vector<std::string> prefix = heading_prefix_;
    prefix.push_back(name);
    MessageReader(state_, std::move(prefix), warning_prefix_ + "attachment \"" + name + "\" › ",
                  depth_left_ - 1)
        .Read(inner);
  }

  DocumentState* state_;
  std::vector<std::string> heading_prefix_;
  std::string warning_prefix_;
  int depth_left_;
  std::vector<BodyPart> body_;
  std::vector<AttachedPart> attachments_;
};

Result<ParsedDocument> ParseEmailUnchecked(std::string_view bytes, const ParseOptions& options) {
  if (bytes.size() > kMaxMessageBytes) {
    return Fail(ErrorCode::kResourceExhausted, "e-mail message larger than 50 MiB");
  }
  const MessageInput input = PrepareMessageInput(bytes);
  if (!input.is_message) return Fail(ErrorCode::kParse, "not an e-mail message (no header fields)");
  InitGmime();
  ParsedDocument parsed;
  parsed.mime = "message/rfc822";
  DocumentState state;
  state.options = options;
  state.doc = &parsed;
  if (!input.warning.empty()) state.Warn(input.warning);

  // Options of our own: GMime's default options are shared by the whole process. Header
  // text that is neither UTF-8 nor encoded is read as windows-1252.
  const std::unique_ptr<GMimeParserOptions, ParserOptionsFree> parser_options(
      g_mime_parser_options_new());
  const char* fallback_charsets[] = {"UTF-8", "windows-1252", nullptr};
  g_mime_parser_options_set_fallback_charsets(parser_options.get(), fallback_charsets);
  const GPtr<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(input.text().data(), input.text().size()));
  const GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  const GPtr<GMimeMessage> message(
      g_mime_parser_construct_message(parser.get(), parser_options.get()));
  if (message == nullptr) return Fail(ErrorCode::kParse, "unreadable e-mail message");

  const Envelope envelope(message.get());
  parsed.title = envelope.subject();
  parsed.author = envelope.Author();
  parsed.metadata = envelope.Metadata();

  MessageReader(&state, {}, "", std::max(options.max_depth, 0)).Read(message.get());
  if (state.text_dropped) {
    state.Warn("text beyond " + std::to_string(kMaxDocumentTextBytes >> 20) + " MiB was dropped");
  }
  return parsed;
}

}  // namespace

Result<ParsedDocument> ParseEmail(std::string_view bytes, const ParseOptions& options) {
  try {
    return ParseEmailUnchecked(bytes, options);
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceExhausted, "out of memory while parsing e-mail");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("e-mail parser failed: ") + e.what());
  }
}

}  // namespace wissen::crawler
