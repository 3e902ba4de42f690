// Reading documents: their text (for citations in the chat) and the original file.
#include <charconv>
#include <fstream>
#include <system_error>

#include "api/api.h"
#include "wissen/crawler/fs_crawler.h"
#include "wissen/crawler/parsers.h"

namespace wissen::server {
namespace fs = std::filesystem;

namespace {

std::optional<int64_t> ParseId(const std::string& text) {
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// Message `number` (1-based) of an mbox file, as the crawler split it; nullopt when the file
// is unreadable, too large to serve or has fewer messages now.
std::optional<std::string> ReadMboxMessage(const fs::path& file, int number) {
  // The crawler's own limit for one file (FsSourceOptions::max_file_bytes' ceiling).
  constexpr std::uintmax_t kMaxMboxBytes = 4096ull << 20;
  std::error_code error;
  const std::uintmax_t size = fs::file_size(file, error);
  if (error || size > kMaxMboxBytes) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) return std::nullopt;
  const std::vector<std::string_view> messages = crawler::SplitMbox(bytes);
  if (static_cast<size_t>(number) > messages.size()) return std::nullopt;
  return std::string(messages[static_cast<size_t>(number) - 1]);
}

}  // namespace

std::optional<store::DocumentView> Api::ReadableDocument(Call& call, const char* action) {
  // Unknown, deleted and unreadable documents get the same answer, so ids reveal nothing.
  auto id = ParseId(call.request.params["id"]);
  if (!id) {
    SendError(call, 404, "not_found", "no such document");
    return std::nullopt;
  }
  auto catalog = call.worker.catalog();
  if (!catalog) {
    SendResultError(call, catalog.error());
    return std::nullopt;
  }
  auto document = (*catalog)->ReadDocument(*id, call.identity->principal.roles);
  if (!document) {
    if (document.error().code == ErrorCode::kUnavailable) call.worker.Reset();
    SendResultError(call, document.error());
    return std::nullopt;
  }
  AuditEvent event;
  event.user = call.identity->name;
  event.action = action;
  event.status = *document ? "200" : "404";
  if (*document) event.documents.push_back({(*document)->id, (*document)->acl});
  audit_.Record(event);
  if (!*document) {
    SendError(call, 404, "not_found", "no such document");
    return std::nullopt;
  }
  return std::move(**document);
}

void Api::GetDocument(Call& call) {
  auto document = ReadableDocument(call, "document");
  if (!document) return;
  nlohmann::json metadata = nlohmann::json::object();
  for (const auto& [key, value] : document->metadata) metadata[key] = value;
  nlohmann::json sections = nlohmann::json::array();
  for (const auto& section : document->sections) {
    sections.push_back(
        {{"heading_path", section.heading_path}, {"page", section.page}, {"text", section.text}});
  }
  Send(call, JsonResponse(
                 200, {{"id", document->id},
                       {"title", document->title},
                       {"source", document->source},
                       {"path", document->path},
                       {"uri", PublicUri(document->source, document->path, document->uri)},
                       {"language", document->language},
                       {"mime", document->mime},
                       {"author", document->author},
                       {"metadata", metadata},
                       {"page_count", document->page_count},
                       {"size_bytes", document->size_bytes},
                       {"modified", document->modified_unix},
                       {"updated", document->updated_unix},
                       {"file_url", "/api/v1/documents/" + std::to_string(document->id) + "/file"},
                       {"sections", sections}}));
}

void Api::GetDocumentFile(Call& call) {
  auto document = ReadableDocument(call, "file");
  if (!document) return;
  if (document->source_kind == "web") {
    // The intranet page itself is the original; the browser fetches it with the user's own
    // intranet credentials.
    if (document->uri.rfind("http://", 0) != 0 && document->uri.rfind("https://", 0) != 0) {
      SendError(call, 404, "not_found", "the original is not available");
      return;
    }
    Response response;
    response.status = 302;
    response.AddHeader("Location", document->uri);
    Send(call, std::move(response));
    return;
  }
  // A message of an mbox file is stored as "<file>#<n>" (see fs_crawler.h).
  std::optional<crawler::MboxMessage> mbox_message;
  if (document->mime == "message/rfc822") {
    mbox_message = crawler::ParseMboxMessagePath(document->path);
  }
  const std::string& file_path = mbox_message ? mbox_message->file_path : document->path;
  // The file must still exist inside its source root (a symlink swapped in since the crawl
  // must not lead elsewhere).
  std::error_code error;
  const fs::path root = fs::canonical(document->source_root, error);
  const fs::path file =
      error ? fs::path() : fs::canonical(fs::path(document->source_root) / file_path, error);
  const auto relative = file.lexically_relative(root);
  if (error || root.empty() || relative.empty() || *relative.begin() == ".." ||
      !fs::is_regular_file(file, error)) {
    SendError(call, 404, "not_found", "the original file is no longer available");
    return;
  }
  Response response;
  std::string name = file.filename().string();
  if (mbox_message) {
    auto message = ReadMboxMessage(file, mbox_message->number);
    if (!message) {
      SendError(call, 404, "not_found", "the original message is no longer available");
      return;
    }
    response.body = std::move(*message);
    name += "-" + std::to_string(mbox_message->number) + ".eml";
  } else {
    response.file = file;
  }
  response.content_type = document->mime.empty() ? "application/octet-stream" : document->mime;
  // A crawled file runs no script in Wissen's origin. Browsers refuse to show a PDF in a
  // sandboxed document, so PDFs (which can carry JavaScript) are downloaded instead, as are
  // Office files and e-mails, which browsers do not display anyway.
  response.AddHeader("Content-Security-Policy", "sandbox; default-src 'none'; img-src data:");
  const bool inline_view = response.content_type.rfind("text/", 0) == 0;
  for (char& c : name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  response.AddHeader("Content-Disposition", std::string(inline_view ? "inline" : "attachment") +
                                                "; filename=\"" + name + "\"");
  Send(call, std::move(response));
}

}  // namespace wissen::server
