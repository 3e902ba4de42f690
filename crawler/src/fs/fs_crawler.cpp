#include "wissen/crawler/fs_crawler.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include "acl/stored_version.h"
#include "fs/group_roles.h"
#include "wissen/core/glob.h"
#include "wissen/core/log.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace fs = std::filesystem;

namespace {

struct Candidate {
  fs::path absolute;
  std::string relative;  // '/'-separated, relative to the root
};

bool Matches(const std::vector<std::string>& globs, const std::string& path) {
  for (const auto& glob : globs) {
    if (GlobMatch(glob, path)) return true;
  }
  return false;
}

Result<std::string> ReadFile(const fs::path& path, int64_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "cannot open file (permission denied?)");
  std::string bytes;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<int64_t>(in.tellg());
  if (size < 0) return Fail(ErrorCode::kIo, "cannot read file");
  if (size > limit) return Fail(ErrorCode::kResourceExhausted, "file larger than the limit");
  bytes.resize(static_cast<size_t>(size));
  in.seekg(0);
  in.read(bytes.data(), size);
  if (!in) return Fail(ErrorCode::kIo, "cannot read file");
  return bytes;
}

bool IsInside(const fs::path& path, const fs::path& root) {
  const auto rel = path.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

// Lists the files under root that pass include/exclude. Unreadable directories are
// reported and remembered, so deletions below them are not applied.
std::vector<Candidate> ListFiles(const FsSourceOptions& options, const fs::path& canonical_root,
                                 CrawlStats& stats, std::vector<std::string>& unlisted_dirs) {
  std::vector<Candidate> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(canonical_root, fs::directory_options::none, ec);
  const fs::recursive_directory_iterator end;
  if (ec) {
    unlisted_dirs.push_back("");
    return files;
  }
  while (it != end) {
    const fs::directory_entry& entry = *it;
    const std::string relative = entry.path().lexically_relative(canonical_root).generic_string();
    std::error_code status_ec;
    const auto link_status = entry.symlink_status(status_ec);
    if (fs::is_directory(link_status)) {
      // An unreadable directory is reported when the iterator fails to enter it below.
    } else if (Matches(options.include, relative) && !Matches(options.exclude, relative)) {
      if (fs::is_symlink(link_status)) {
        // Follow file links only when they stay inside the root: a link out of the share
        // must not pull in files the source's owner never meant to publish.
        const fs::path target = fs::weakly_canonical(entry.path(), status_ec);
        if (status_ec || !IsInside(target, canonical_root) || !fs::is_regular_file(target)) {
          ++stats.skipped;
          AddIssue(stats, relative, "symbolic link out of the source root or not to a file");
        } else {
          files.push_back({target, relative});
        }
      } else if (fs::is_regular_file(link_status)) {
        files.push_back({entry.path(), relative});
      }
    }
    it.increment(ec);
    if (ec) {
      // The iterator could not enter a directory (permission denied): report, skip it, and
      // protect the documents stored below it from deletion.
      const std::string dir =
          it == end ? relative : it->path().lexically_relative(canonical_root).generic_string();
      unlisted_dirs.push_back(dir);
      ++stats.failed;
      AddIssue(stats, dir, "cannot list directory: " + ec.message());
      log::Warn("crawl.directory_unreadable", {{"source", options.name}, {"path", dir}});
      ec.clear();
      if (it != end) {
        it.disable_recursion_pending();
        it.increment(ec);
        if (ec) break;
      }
    }
  }
  return files;
}

// The stored message documents of each mbox file, by the file's path.
std::unordered_map<std::string, std::vector<const store::StoredDocument*>> StoredMboxMessages(
    const std::unordered_map<std::string, store::StoredDocument>& stored) {
  std::unordered_map<std::string, std::vector<const store::StoredDocument*>> messages;
  for (const auto& [path, doc] : stored) {
    if (doc.mime != "message/rfc822") continue;
    if (auto message = ParseMboxMessagePath(path)) {
      messages[message->file_path].push_back(&doc);
    }
  }
  return messages;
}

bool UnderUnlistedDirectory(const std::string& path, const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    if (dir.empty() || path == dir || path.starts_with(dir + "/")) return true;
  }
  return false;
}

bool MetadataChanged(const store::StoredDocument& stored, const DocumentInfo& info) {
  return stored.acl != info.acl || stored.acl_rule != info.acl_rule ||
         stored.size_bytes != info.size_bytes || stored.modified_unix != info.modified_unix;
}

// Whether an mbox file is as it was when its stored messages were parsed: every message
// carries the file's size and date, and none needs a newer parser.
bool MboxUnchanged(const std::vector<const store::StoredDocument*>& messages,
                   const DocumentInfo& file) {
  for (const store::StoredDocument* message : messages) {
    if (message->deleted) continue;
    if (message->size_bytes != file.size_bytes || message->modified_unix != file.modified_unix ||
        NeedsReparse(message->mime, message->parser_version)) {
      return false;
    }
  }
  return true;
}

// Parses `bytes` (the file, or one message of an mbox file) and stores it as `info`, unless
// its hash equals the stored version's. Counts and reports the outcome; the stored version
// stays, with the new ACL, when parsing or storing fails.
void StoreDocument(const FsSourceOptions& options, DocumentSink& sink, const DocumentInfo& info,
                   const store::StoredDocument* stored_version, std::string_view bytes,
                   std::string_view name_for_detection, CrawlStats& stats) {
  const bool reparse =
      stored_version && NeedsReparse(stored_version->mime, stored_version->parser_version);
  if (stored_version && !reparse && stored_version->content_hash == info.content_hash) {
    ++stats.unchanged;
    if (MetadataChanged(*stored_version, info)) {
      TouchStoredDocument(sink, *stored_version, info, stats);
    }
    return;
  }
  auto parsed = ParseDocument(bytes, name_for_detection, "", options.parse);
  if (!parsed) {
    // The previous version (if any) stays stored and retrievable: a broken upload should
    // not make a good document disappear.
    if (stored_version) ApplyNewAclToStoredVersion(sink, *stored_version, info, stats);
    if (parsed.error().code == ErrorCode::kUnsupported) {
      ++stats.skipped;
    } else {
      ++stats.failed;
    }
    AddIssue(stats, info.path, parsed.error().message);
    log::Info("crawl.file_skipped",
              {{"source", options.name}, {"path", info.path}, {"reason", parsed.error().message}});
    return;
  }
  if (auto ok = sink.Put(info, *parsed); !ok) {
    ++stats.failed;
    AddIssue(stats, info.path, ok.error().message);
    log::Warn("crawl.store_failed",
              {{"source", options.name}, {"path", info.path}, {"error", ok.error().ToString()}});
    return;
  }
  // Stored with parts missing (a page OCR failed on, an unreadable attachment): reported so
  // an operator can look, but the rest of the document is searchable.
  if (!parsed->warnings.empty()) ++stats.partial;
  for (const std::string& warning : parsed->warnings) AddIssue(stats, info.path, warning);
  stats.bytes_parsed += static_cast<int64_t>(bytes.size());
  stats.pages_parsed += parsed->page_count;
  if (stored_version) {
    ++stats.changed;
  } else {
    ++stats.added;
  }
}

}  // namespace

std::string MboxMessagePath(const MboxMessage& message) {
  return message.file_path + "#" + std::to_string(message.number);
}

std::optional<MboxMessage> ParseMboxMessagePath(std::string_view path) {
  const size_t hash = path.rfind('#');
  if (hash == std::string_view::npos) return std::nullopt;
  const std::string_view digits = path.substr(hash + 1);
  int number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size() || number <= 0) {
    return std::nullopt;
  }
  return MboxMessage{std::string(path.substr(0, hash)), number};
}

Result<CrawlStats> CrawlFileSource(const FsSourceOptions& options, store::Catalog& catalog,
                                   DocumentSink& sink, const ProgressCallback& progress) {
  const auto started = std::chrono::steady_clock::now();
  CrawlStats stats;
  std::error_code ec;
  const fs::path root = fs::canonical(options.root, ec);
  if (ec || !fs::is_directory(root)) {
    return Fail(ErrorCode::kUnavailable, "source \"" + options.name + "\": root " +
                                             options.root.string() +
                                             " is missing or not a readable directory");
  }
  auto source_id = catalog.EnsureSource(options.name, "fs", root.string());
  if (!source_id) return Fail(source_id.error());
  auto stored_list = catalog.ListDocuments(*source_id);
  if (!stored_list) return Fail(stored_list.error());
  std::unordered_map<std::string, store::StoredDocument> stored;
  for (auto& doc : *stored_list) stored.emplace(doc.path, std::move(doc));
  const auto mbox_messages = StoredMboxMessages(stored);

  std::vector<std::string> unlisted_dirs;
  const std::vector<Candidate> files = ListFiles(options, root, stats, unlisted_dirs);
  if (!unlisted_dirs.empty() && unlisted_dirs.front().empty()) {
    return Fail(ErrorCode::kUnavailable,
                "source \"" + options.name + "\": cannot list " + root.string());
  }
  const auto live_documents = std::count_if(
      stored.begin(), stored.end(), [](const auto& entry) { return !entry.second.deleted; });
  if (files.empty() && live_documents > 0) {
    // An unmounted share usually leaves an empty mount point behind; treating that as "every
    // file was deleted" would empty the index overnight.
    return Fail(ErrorCode::kUnavailable,
                "source \"" + options.name + "\": " + root.string() +
                    " has no matching files but " + std::to_string(live_documents) +
                    " documents are indexed; refusing to delete them (share not mounted?)");
  }
  const auto total = static_cast<int64_t>(files.size());
  std::unordered_set<std::string> seen;
  auto last_report = std::chrono::steady_clock::now();
  auto report = [&](bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!progress || (!force && now - last_report < std::chrono::seconds(1))) return;
    last_report = now;
    stats.seconds = std::chrono::duration<double>(now - started).count();
    progress(stats, total);
  };

  for (const Candidate& file : files) {
    ++stats.seen;
    report(false);
    DocumentInfo info;
    info.source_id = *source_id;
    info.source = options.name;
    info.path = file.relative;
    info.uri = "file://" + file.absolute.string();
    info.size_bytes = static_cast<int64_t>(fs::file_size(file.absolute, ec));
    if (ec) {
      ++stats.failed;
      AddIssue(stats, file.relative, "cannot stat file: " + ec.message());
      ec.clear();
      continue;
    }
    struct stat file_stat {};
    const bool stat_ok = ::stat(file.absolute.c_str(), &file_stat) == 0;
    info.modified_unix = stat_ok ? static_cast<int64_t>(file_stat.st_mtime) : 0;
    AclDecision decision = options.acl.Decide(file.relative);
    if (!options.group_roles.empty() && stat_ok) {
      // A chgrp changes neither size nor mtime: the ACL is decided on every walk, so the
      // metadata comparison below picks the change up without reading the file.
      decision =
          ApplyGroupRoles(options, std::move(decision), ReadableGroups(file.absolute, file_stat));
    }
    info.acl = decision.acl;
    info.acl_rule = decision.explanation;

    // Seen files are never deleted below, even when this run could not read them.
    seen.insert(file.relative);
    auto known = stored.find(file.relative);
    const store::StoredDocument* stored_version =
        known != stored.end() && !known->second.deleted ? &known->second : nullptr;
    const auto mbox = mbox_messages.find(file.relative);
    const std::vector<const store::StoredDocument*> no_messages;
    const auto& stored_messages = mbox != mbox_messages.end() ? mbox->second : no_messages;
    // The messages stored from this file stay as they are when it cannot be read now.
    const auto keep_stored_messages = [&] {
      for (const store::StoredDocument* message : stored_messages) {
        seen.insert(message->path);
        if (!message->deleted) ApplyNewAclToStoredVersion(sink, *message, info, stats);
      }
    };
    if (!stored_messages.empty() && options.trust_mtime && MboxUnchanged(stored_messages, info)) {
      for (const store::StoredDocument* message : stored_messages) {
        seen.insert(message->path);
        if (message->deleted) continue;
        ++stats.unchanged;
        DocumentInfo message_info = info;
        message_info.path = message->path;
        message_info.uri = info.uri + "#" + message->path.substr(file.relative.size() + 1);
        message_info = WithStoredContent(std::move(message_info), *message);
        if (message->acl != info.acl || message->acl_rule != info.acl_rule) {
          TouchStoredDocument(sink, *message, message_info, stats);
        }
      }
      continue;
    }
    const bool metadata_changed = stored_version && MetadataChanged(*stored_version, info);
    // A document an older parser produced is parsed again, bytes unchanged or not.
    const bool reparse =
        stored_version && NeedsReparse(stored_version->mime, stored_version->parser_version);
    if (stored_version && !reparse && options.trust_mtime &&
        stored_version->size_bytes == info.size_bytes &&
        stored_version->modified_unix == info.modified_unix) {
      ++stats.unchanged;
      info.content_hash = stored_version->content_hash;
      if (metadata_changed) TouchStoredDocument(sink, *stored_version, info, stats);
      continue;
    }
    // A stored document whose new version cannot be read or parsed stays as it is, with the
    // new ACL (see ApplyNewAclToStoredVersion).
    const auto apply_acl_to_stored_version = [&] {
      if (stored_version) ApplyNewAclToStoredVersion(sink, *stored_version, info, stats);
      keep_stored_messages();
    };
    if (info.size_bytes > options.max_file_bytes) {
      apply_acl_to_stored_version();
      ++stats.skipped;
      AddIssue(stats, file.relative,
               "larger than max_file_mb (" + std::to_string(info.size_bytes >> 20) + " MiB)");
      continue;
    }
    auto bytes = ReadFile(file.absolute, options.max_file_bytes);
    if (!bytes) {
      apply_acl_to_stored_version();
      ++stats.failed;
      AddIssue(stats, file.relative, bytes.error().message);
      continue;
    }
    info.content_hash = Sha256Hex(*bytes);
    if (DetectContentKind(*bytes, file.relative) == ContentKind::kMbox) {
      const std::vector<std::string_view> messages = SplitMbox(*bytes);
      if (messages.empty()) {
        apply_acl_to_stored_version();
        ++stats.failed;
        AddIssue(stats, file.relative, "mbox file without messages");
        continue;
      }
      for (size_t i = 0; i < messages.size(); ++i) {
        DocumentInfo message_info = info;
        message_info.path = MboxMessagePath({file.relative, static_cast<int>(i) + 1});
        message_info.uri = info.uri + "#" + std::to_string(i + 1);
        message_info.content_hash = Sha256Hex(messages[i]);
        seen.insert(message_info.path);
        const auto message = stored.find(message_info.path);
        StoreDocument(
            options, sink, message_info,
            message != stored.end() && !message->second.deleted ? &message->second : nullptr,
            messages[i], "message.eml", stats);
      }
      continue;
    }
    StoreDocument(options, sink, info, stored_version, *bytes, file.relative, stats);
  }

  // Whatever the catalog has that was not seen in this walk is gone from the source.
  std::vector<std::pair<std::string, int64_t>> gone;
  for (const auto& [path, doc] : stored) {
    if (doc.deleted || seen.contains(path)) continue;
    if (UnderUnlistedDirectory(path, unlisted_dirs)) continue;
    gone.emplace_back(path, doc.id);
  }
  const double gone_fraction =
      live_documents > 0 ? static_cast<double>(gone.size()) / live_documents : 0;
  if (gone.size() > 10 && gone_fraction * 100 > options.max_delete_percent) {
    // Losing most of a source at once is more often a half-mounted share or a moved folder
    // than a real clean-up: keep the documents and let an operator decide.
    ++stats.failed;
    AddIssue(stats, "",
             std::to_string(gone.size()) + " of " + std::to_string(live_documents) +
                 " documents are gone from the source, more than max_delete_percent (" +
                 std::to_string(options.max_delete_percent) +
                 "); nothing was deleted. Raise it for one run if this is intended.");
    log::Warn("crawl.mass_delete_refused",
              {{"source", options.name}, {"gone", gone.size()}, {"live", live_documents}});
    gone.clear();
  }
  for (const auto& [path, id] : gone) {
    if (auto ok = sink.Delete(id); !ok) {
      ++stats.failed;
      AddIssue(stats, path, ok.error().message);
      continue;
    }
    ++stats.deleted;
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report(true);
  return stats;
}

}  // namespace wissen::crawler
