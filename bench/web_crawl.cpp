// Web crawl throughput: a local site of ~1,000 HTML pages served by the test site server on
// 127.0.0.1, crawled into the embedded PostgreSQL twice: a first crawl (fetch, parse, chunk,
// embed, store, publish) and an unchanged re-crawl (one conditional GET per page, each
// answered 304). No politeness delay, so the figures are the crawler's own cost.
//
//   wissen_bench_web_crawl [--pages N] [--results FILE]
#include <cstdio>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "test_site.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"

namespace wissen::bench {
namespace {
namespace fs = std::filesystem;

constexpr int kPagesPerSection = 50;

const char* const kWords[] = {"Urlaub",      "Antrag",      "Reisekosten", "Richtlinie",
                              "Kantine",     "Dienstwagen", "Homeoffice",  "Gleitzeit",
                              "Betriebsrat", "Schulung",    "Sicherheit",  "Datenschutz",
                              "Vertrag",     "Abteilung",   "Projekt",     "Budget",
                              "Freigabe",    "Formular",    "Frist",       "Vorgabe"};

std::string Paragraph(int page, int paragraph) {
  std::string text;
  for (int s = 0; s < 5; ++s) {
    text += "Die ";
    for (int w = 0; w < 8; ++w) {
      text += kWords[(page * 7 + paragraph * 5 + s * 3 + w * 11) % 20];
      text += w == 7 ? ". " : " ";
    }
  }
  return text;
}

// `pages` pages in sections of 50; the start page links to the sections, each section to its
// pages, each page to its neighbours.
void BuildSite(test_site::TestSite& site, int pages) {
  const int sections = (pages + kPagesPerSection - 1) / kPagesPerSection;
  std::vector<std::string> section_links;
  for (int s = 0; s < sections; ++s) section_links.push_back("s" + std::to_string(s) + "/");
  site.SetHtml("/", "Intranet", "Startseite.", section_links);
  for (int s = 0; s < sections; ++s) {
    std::vector<std::string> links;
    for (int p = s * kPagesPerSection; p < std::min(pages, (s + 1) * kPagesPerSection); ++p) {
      links.push_back("p" + std::to_string(p) + ".html");
    }
    site.SetHtml("/s" + std::to_string(s) + "/", "Bereich " + std::to_string(s), "Übersicht.",
                 links);
    for (int p = s * kPagesPerSection; p < std::min(pages, (s + 1) * kPagesPerSection); ++p) {
      std::string body = "<!DOCTYPE html><html><head><title>Seite " + std::to_string(p) +
                         "</title></head><body><h1>Seite " + std::to_string(p) + "</h1>";
      for (int h = 0; h < 3; ++h) {
        body += "<h2>Abschnitt " + std::to_string(h) + "</h2><p>" + Paragraph(p, h * 2) +
                "</p><p>" + Paragraph(p, h * 2 + 1) + "</p>";
      }
      if ((p + 1) % kPagesPerSection != 0 && p + 1 < pages) {
        body += "<a href=\"p" + std::to_string(p + 1) + ".html\">weiter</a> ";
      }
      body += "<a href=\"../\">hoch</a>";
      body += "</body></html>";
      test_site::Page page;
      page.body = std::move(body);
      site.Set("/s" + std::to_string(s) + "/p" + std::to_string(p) + ".html", std::move(page));
    }
  }
}

struct Pass {
  double seconds = 0;
  double cpu_seconds = 0;
  crawler::CrawlStats stats;
};

Result<Pass> CrawlOnce(app::Runtime& runtime) {
  const double cpu = ProcessCpuSeconds();
  Stopwatch watch;
  auto report = app::RunCrawl(runtime, std::nullopt);
  if (!report) return Fail(report.error());
  const auto& outcome = report->sources.at("site");
  if (outcome.error) return Fail(*outcome.error);
  return Pass{watch.Seconds(), ProcessCpuSeconds() - cpu, outcome.stats};
}

std::string Row(const char* name, const Pass& pass) {
  const int64_t pages = pass.stats.seen;
  return Fmt("| %s | %.2f | %.2f | %lld | %lld | %lld | %.1f | %.1f |\n", name, pass.seconds,
             pass.cpu_seconds, static_cast<long long>(pages),
             static_cast<long long>(pass.stats.added + pass.stats.changed),
             static_cast<long long>(pass.stats.not_modified), pages / std::max(pass.seconds, 1e-9),
             pass.stats.bytes_downloaded / 1e6);
}

int Run(int argc, char** argv) {
  int pages = 1000;
  fs::path results = DefaultResultsFile("web_crawl.md");
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--pages") == 0 && i + 1 < argc) {
      pages = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--results") == 0 && i + 1 < argc) {
      results = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--pages N] [--results FILE]\n", argv[0]);
      return 2;
    }
  }
  const std::string machine = MachineSummary();
  const std::string date = NowUtc();
  test_site::TestSite site;
  std::string error;
  if (!site.Start(&error)) {
    std::fprintf(stderr, "cannot start the test site: %s\n", error.c_str());
    return 1;
  }
  BuildSite(site, pages);
  auto work_dir = MakeTempDir("wissen-bench-web-");
  if (!work_dir) {
    std::fprintf(stderr, "%s\n", work_dir.error().ToString().c_str());
    return 1;
  }
  app::Config config;
  config.config_file = *work_dir / "wissen.toml";  // only named in messages
  config.data_dir = *work_dir / "data";
  app::SourceConfig source;
  source.name = source.web.name = "site";
  source.kind = "web";
  source.web.seeds = {site.Url("/")};
  source.web.delay_ms = 0;
  source.web.max_depth = 100;
  source.web.acl = crawler::AclRules({{"**", {std::string(kEveryoneRole)}}});
  config.sources.push_back(source);

  int exit_code = 0;
  Pass first, second;
  {
    auto runtime = app::Runtime::Open(config);
    if (!runtime) {
      std::fprintf(stderr, "cannot open the runtime: %s\n", runtime.error().ToString().c_str());
      exit_code = 1;
    } else {
      auto a = CrawlOnce(**runtime);
      auto b = a ? CrawlOnce(**runtime) : a;
      if (!a || !b) {
        std::fprintf(stderr, "crawl failed: %s\n", (a ? b : a).error().ToString().c_str());
        exit_code = 1;
      } else {
        first = *a;
        second = *b;
      }
    }
  }  // stops the embedded cluster before its directory goes
  site.Stop();
  std::error_code ec;
  fs::remove_all(*work_dir, ec);
  if (exit_code != 0) return exit_code;

  std::string section = "## " + date + " — " + std::to_string(pages) + " pages\n\n";
  section += "- Command: `" + CommandLine(argc, argv) + "`\n";
  section += "- Machine: " + machine + "\n";
  section +=
      Fmt("- Site: %d HTML pages of about 3 KB plus %d section pages and the start page, served "
          "with keep-alive by tests/test_site on 127.0.0.1; delay_ms = 0. Times include "
          "publishing the index generation.\n\n",
          pages, (pages + kPagesPerSection - 1) / kPagesPerSection);
  section +=
      "| pass | wall s | CPU s (bench process) | pages | stored | 304s | pages/s | MB "
      "downloaded |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
  section += Row("first crawl", first);
  section += Row("re-crawl, nothing changed", second);
  std::printf("\n%s\n", section.c_str());
  if (auto ok = AppendResults(results,
                              "# Web crawl benchmark results\n\nWritten by "
                              "`wissen_bench_web_crawl`. Newest runs last.",
                              section);
      !ok) {
    std::fprintf(stderr, "%s\n", ok.error().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "appended to %s\n", results.c_str());
  return 0;
}

}  // namespace
}  // namespace wissen::bench

int main(int argc, char** argv) { return wissen::bench::Run(argc, argv); }
