// The file-system source: walks a directory tree, detects new, changed, unchanged and
// deleted files against the catalog, parses what changed and hands it to a DocumentSink.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/document_sink.h"
#include "wissen/core/result.h"
#include "wissen/crawler/acl_rules.h"
#include "wissen/crawler/parsers.h"
#include "wissen/store/catalog.h"

namespace wissen::crawler {

struct FsSourceOptions {
  std::string name;
  std::filesystem::path root;  // absolute
  // Globs over the path relative to root; a file must match an include and no exclude.
  // Legacy .doc/.xls/.ppt are included so the crawl report names them as unsupported.
  std::vector<std::string> include = {"**/*.pdf",  "**/*.html", "**/*.htm",  "**/*.txt",
                                      "**/*.md",   "**/*.docx", "**/*.xlsx", "**/*.pptx",
                                      "**/*.odt",  "**/*.ods",  "**/*.odp",  "**/*.eml",
                                      "**/*.mbox", "**/*.doc",  "**/*.xls",  "**/*.ppt"};
  std::vector<std::string> exclude;
  AclRules acl;
  // POSIX group name -> roles. A file's groups are its owning group and the named groups of
  // its POSIX access ACL (xattr system.posix_acl_access), each only when it may read the file.
  // Empty: the ACL comes from the path rules alone. Default: empty.
  std::map<std::string, std::vector<std::string>> group_roles;
  // How group roles combine with the path rules: kUnion adds them to the deciding rule's
  // roles; kReplace uses only the group roles when any group maps, else the path rules.
  // Default: kUnion.
  enum class GroupRolesMode { kUnion, kReplace };
  GroupRolesMode group_roles_mode = GroupRolesMode::kUnion;
  // Files larger than this are skipped with a reason. Default: 100 MiB.
  int64_t max_file_bytes = 100LL << 20;
  // When size and modification time equal the catalog's, the file is taken as unchanged
  // without reading it (as rsync does). false reads and hashes every file. Default: true.
  bool trust_mtime = true;
  // When more than this percentage of the source's documents (and more than 10) vanish in
  // one run, none is deleted and the run reports it: a half-mounted share must not empty the
  // index. 100 disables the guard. Default: 50.
  int max_delete_percent = 50;
  // How files are parsed (Office comments, OCR of scanned PDFs). Default: no comments, no OCR.
  ParseOptions parse;
};

// A file that was skipped or failed, with a reason fit for an operator's report.
struct FileIssue {
  std::string path;
  std::string reason;
};

struct CrawlStats {
  int64_t seen = 0;       // files matched by include/exclude
  int64_t added = 0;      // new documents stored
  int64_t changed = 0;    // stored documents whose content changed
  int64_t unchanged = 0;  // content unchanged (metadata may have been updated)
  int64_t acl_changed = 0;
  int64_t deleted = 0;
  int64_t skipped = 0;  // unsupported, too large, symlink out of root, ...
  int64_t failed = 0;   // parse or storage errors
  // Documents stored with parts that could not be read (an OCR page, an attachment); each
  // part is listed in `issues`.
  int64_t partial = 0;
  int64_t bytes_parsed = 0;
  int64_t pages_parsed = 0;
  // Web sources only: requests sent (robots.txt, sitemaps and retries included), 304
  // answers, and body bytes received.
  int64_t http_requests = 0;
  int64_t not_modified = 0;
  int64_t bytes_downloaded = 0;
  double seconds = 0;
  std::vector<FileIssue> issues;  // skipped and failed files (at most 1,000 kept)
};

// Called about once a second with the running totals and the number of files found.
using ProgressCallback = std::function<void(const CrawlStats& stats, int64_t total_files)>;

// Crawls one file-system source. Single files that cannot be read or parsed are counted
// and reported, never fatal; a document stored earlier stays as it was when its new version
// fails to parse. Deletions are only applied for directories that were fully listed: when
// the root is missing, unreadable, or empty while documents are indexed, the run fails
// (kUnavailable) and nothing is deleted, so an unmounted share does not empty the index;
// see also max_delete_percent. An mbox file's messages are stored as documents
// "<path>#<n>" (n 1-based in file order), each with the file's ACL, size and date; the file
// is read again only when its size or date changes, and only changed messages are parsed.
// A message of an mbox file as the file source names its document: "<file path>#<n>", n
// 1-based in file order.
struct MboxMessage {
  std::string file_path;
  int number = 0;
};
std::string MboxMessagePath(const MboxMessage& message);
// The message a stored document of mime "message/rfc822" is, or nullopt when `path` is not
// of that form (a single .eml file).
std::optional<MboxMessage> ParseMboxMessagePath(std::string_view path);

Result<CrawlStats> CrawlFileSource(const FsSourceOptions& options, store::Catalog& catalog,
                                   DocumentSink& sink, const ProgressCallback& progress = {});

}  // namespace wissen::crawler
