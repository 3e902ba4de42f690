#include "wissen/crawler/fs_crawler.h"

#include <sys/stat.h>

#include <algorithm>
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

bool UnderUnlistedDirectory(const std::string& path, const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    if (dir.empty() || path == dir || path.starts_with(dir + "/")) return true;
  }
  return false;
}

}  // namespace

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
    const bool exists = known != stored.end() && !known->second.deleted;
    const bool metadata_changed =
        exists && (known->second.acl != info.acl || known->second.acl_rule != info.acl_rule ||
                   known->second.size_bytes != info.size_bytes ||
                   known->second.modified_unix != info.modified_unix);
    // A document an older parser produced is parsed again, bytes unchanged or not.
    const bool reparse = exists && NeedsReparse(known->second.mime, known->second.parser_version);
    if (exists && !reparse && options.trust_mtime && known->second.size_bytes == info.size_bytes &&
        known->second.modified_unix == info.modified_unix) {
      ++stats.unchanged;
      info.content_hash = known->second.content_hash;
      if (metadata_changed) TouchStoredDocument(sink, known->second, info, stats);
      continue;
    }
    // A stored document whose new version cannot be read or parsed stays as it is, with the
    // new ACL (see ApplyNewAclToStoredVersion).
    const auto apply_acl_to_stored_version = [&] {
      if (exists) ApplyNewAclToStoredVersion(sink, known->second, info, stats);
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
    if (exists && !reparse && known->second.content_hash == info.content_hash) {
      ++stats.unchanged;
      if (metadata_changed) TouchStoredDocument(sink, known->second, info, stats);
      continue;
    }

    auto parsed = ParseDocument(*bytes, file.relative);
    if (!parsed) {
      // The previous version (if any) stays stored and retrievable: a broken upload should
      // not make a good document disappear.
      apply_acl_to_stored_version();
      if (parsed.error().code == ErrorCode::kUnsupported) {
        ++stats.skipped;
      } else {
        ++stats.failed;
      }
      AddIssue(stats, file.relative, parsed.error().message);
      log::Info(
          "crawl.file_skipped",
          {{"source", options.name}, {"path", file.relative}, {"reason", parsed.error().message}});
      continue;
    }
    if (auto ok = sink.Put(info, *parsed); !ok) {
      ++stats.failed;
      AddIssue(stats, file.relative, ok.error().message);
      log::Warn(
          "crawl.store_failed",
          {{"source", options.name}, {"path", file.relative}, {"error", ok.error().ToString()}});
      continue;
    }
    stats.bytes_parsed += info.size_bytes;
    stats.pages_parsed += parsed->page_count;
    if (exists) {
      ++stats.changed;
    } else {
      ++stats.added;
    }
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
