#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli.h"
#include "wissen/app/crawl_run.h"

namespace wissen::cli {
namespace {

void PrintProgress(const std::string& source, const crawler::CrawlStats& s, int64_t total) {
  const double rate = s.seconds > 0 ? s.seen / s.seconds : 0;
  const double eta = rate > 0 ? (total - s.seen) / rate : 0;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  std::fprintf(stderr,
               "%s[%s] %lld/%lld files  parsed %lld  unchanged %lld  skipped %lld  "
               "failed %lld  %.1f files/s  ETA %.0fs%s",
               tty ? "\r" : "", source.c_str(), static_cast<long long>(s.seen),
               static_cast<long long>(total), static_cast<long long>(s.added + s.changed),
               static_cast<long long>(s.unchanged), static_cast<long long>(s.skipped),
               static_cast<long long>(s.failed), rate, eta, tty ? "   " : "\n");
  std::fflush(stderr);
}

void PrintSummary(const app::CrawlRunReport& report) {
  if (::isatty(STDERR_FILENO) != 0) std::fputs("\n", stderr);
  for (const auto& [name, outcome] : report.sources) {
    const auto& s = outcome.stats;
    if (outcome.error) {
      std::cout << name << ": FAILED: " << outcome.error->message << "\n";
      continue;
    }
    std::cout << name << ": " << s.seen << " files: " << s.added << " new, " << s.changed
              << " changed, " << s.unchanged << " unchanged, " << s.deleted << " deleted, "
              << s.skipped << " skipped, " << s.failed << " failed";
    if (s.partial > 0) std::cout << ", " << s.partial << " stored with unreadable parts";
    if (s.acl_changed > 0) std::cout << ", " << s.acl_changed << " with new permissions";
    std::printf(" (%.1f s)\n", s.seconds);
    std::fflush(stdout);
    for (const auto& issue : s.issues) {
      std::cout << "  " << issue.path << ": " << issue.reason << "\n";
    }
  }
  if (report.ocr != "off" && !report.ocr.starts_with("on")) {
    std::cout << "OCR " << report.ocr << ": scanned pages were not recognised\n";
  }
  std::cout << "index generation " << report.generation
            << (report.published ? " published" : " unchanged") << "; run " << report.run_id << " "
            << report.status << "\n";
}

}  // namespace

void RegisterCrawlCommand(CLI::App& app, CliContext& context) {
  auto* command = app.add_subcommand(
      "crawl", "crawl the configured sources, index what changed, publish a new generation");
  auto source = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  command->add_option("--source", *source, "crawl only this source");
  command->add_flag("--json", *json, "print the run report as JSON");
  command->callback([&context, source, json] {
    auto config = LoadConfigOrReport(context);
    if (!config) return;
    auto runtime = OpenRuntimeOrReport(context, *config);
    if (!runtime) return;
    std::optional<std::string> only;
    if (!source->empty()) only = *source;
    auto report = app::RunCrawl(*runtime, only, *json ? nullptr : PrintProgress);
    if (!report) {
      ReportError(report.error());
      context.exit_code = kExitCouldNotRun;
      return;
    }
    if (*json) {
      std::cout << app::CrawlReportJson(*report).dump(2) << "\n";
    } else {
      PrintSummary(*report);
    }
    context.exit_code = report->status == "ok" ? kExitOk : kExitPartial;
  });
}

}  // namespace wissen::cli
