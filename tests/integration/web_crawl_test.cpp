// The web source end to end against a site served by the test itself on 127.0.0.1, with a
// real PostgreSQL, FAISS and Xapian: robots.txt, sitemaps, redirects, conditional GET,
// deletions, charsets, limits, timeouts, retries, URL ACLs; and POSIX-group role mapping for
// file sources.
#include <grp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <pqxx/pqxx>

#include "test_cluster.h"
#include "test_site.h"
#include "wissen/app/config.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"
#include "wissen/crawler/parsers.h"
#include "wissen/retriever/retriever.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;
using test_site::Page;
using test_site::TestSite;

constexpr const char* kSource = "intranet";

std::string SitemapXml(const std::vector<std::pair<std::string, std::string>>& urls) {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
  for (const auto& [loc, lastmod] : urls) {
    xml += "<url><loc>" + loc + "</loc><lastmod>" + lastmod + "</lastmod></url>";
  }
  return xml + "</urlset>";
}

// The intranet: robots.txt with a group for Wissen, a sitemap index pointing at a gzipped
// sitemap, and pages for every case. `slow` adds the hanging page (1 s per attempt).
void BuildSite(TestSite& site, bool slow) {
  Page robots;
  robots.content_type = "text/plain";
  robots.body =
      "User-agent: *\nDisallow: /\n\n"
      "User-agent: Wissen\n"
      "Disallow: /site/private/\n"
      "Allow: /site/private/open.html\n"
      "Disallow: /*.cgi$\n\n"
      "Sitemap: " +
      site.Url("/sitemap_index.xml") + "\n";
  site.Set("/robots.txt", robots);
  Page index;
  index.content_type = "application/xml";
  index.body =
      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>" +
      site.Url("/sitemaps/pages.xml.gz") + "</loc></sitemap></sitemapindex>";
  site.Set("/sitemap_index.xml", index);
  Page sitemap;
  sitemap.content_type = "application/gzip";
  sitemap.body =
      test_site::Gzip(SitemapXml({{site.Url("/site/sitemap-only.html"), "2024-05-01T08:00:00Z"}}));
  site.Set("/sitemaps/pages.xml.gz", sitemap);

  std::vector<std::string> links = {"a.html",
                                    "b.html",
                                    "c.html",
                                    "private/secret.html",
                                    "private/open.html",
                                    "run.cgi",
                                    "loop1.html#top",
                                    "old.html",
                                    "out.html",
                                    "latin1.html",
                                    "big.html",
                                    "flaky.html",
                                    "hr/gehalt.html",
                                    "logo.png",
                                    "copy-of-a.html",
                                    "mailto:it@firma.example"};
  if (slow) links.push_back("hang.html");
  site.SetHtml("/site/", "Startseite", "Willkommen im Intranet.", links);
  site.SetHtml("/site/a.html", "Reisekosten", "Reisekosten werden monatlich erstattet.");
  // The same bytes under a second URL.
  site.SetHtml("/site/copy-of-a.html", "Reisekosten", "Reisekosten werden monatlich erstattet.");
  site.SetHtml("/site/b.html", "Kantine", "Die Kantine öffnet um elf Uhr.");
  site.SetHtml("/site/c.html", "Parkplatz", "Parkplätze gibt es im Hof.");
  site.SetHtml("/site/private/secret.html", "Geheim", "Niemand darf das lesen.");
  site.SetHtml("/site/private/open.html", "Offen", "Die Bibliothek ist offen.");
  site.SetHtml("/site/run.cgi", "Skript", "Ein Skript.");
  site.SetHtml("/site/loop1.html", "Schleife eins", "Erste Seite.", {"loop2.html", "./"});
  site.SetHtml("/site/loop2.html", "Schleife zwei", "Zweite Seite.", {"LOOP1.html", "loop1.html"});
  site.SetHtml("/site/new.html", "Neue Richtlinie", "Homeoffice ist erlaubt.");
  Page moved;
  moved.status = 301;
  moved.location = "new.html";
  site.Set("/site/old.html", moved);
  Page out;
  out.status = 302;
  out.location = site.Url("/elsewhere/page.html");
  site.Set("/site/out.html", out);
  site.SetHtml("/elsewhere/page.html", "Draussen", "Nicht im Scope.");
  Page latin1;
  latin1.content_type = "text/html; charset=ISO-8859-1";
  latin1.body =
      "<html><head><title>Gr\xF6\xDF"
      "e der Dienstwagen</title></head><body><p>Die Gr\xF6\xDF"
      "e richtet sich nach der Stra\xDF"
      "e.</p></body></html>";
  site.Set("/site/latin1.html", latin1);
  Page big;
  big.body = "<html><body><p>" + std::string(200 * 1024, 'x') + "</p></body></html>";
  site.Set("/site/big.html", big);
  Page flaky;
  flaky.body =
      "<html><head><title>Wackelig</title></head><body><p>Server war kurz weg.</p></body></html>";
  flaky.fail_first = 1;
  site.Set("/site/flaky.html", flaky);
  site.SetHtml("/site/hr/gehalt.html", "Gehaltsbänder 2025", "Gehaltsbänder und Tarifgruppen.");
  Page png;
  png.content_type = "image/png";
  png.body = "\x89PNG\r\n\x1a\n";
  site.Set("/site/logo.png", png);
  site.SetHtml("/site/sitemap-only.html", "Nur in der Sitemap", "Betriebsvereinbarung Gleitzeit.");
  Page hang;
  hang.hang = true;
  site.Set("/site/hang.html", hang);
}

struct Fixture {
  fs::path dir;
  fs::path config_file;
  std::string database_url;
  std::unique_ptr<app::Runtime> runtime;
};

Fixture Open(const std::string& sources_toml) {
  Fixture f;
  f.dir = testing::MakeTempDir("web-");
  f.config_file = f.dir / "wissen.toml";
  f.database_url = testing::FreshDatabase();
  std::ofstream(f.config_file) << "[data]\ndir = \"data\"\n[database]\nurl = \"" + f.database_url +
                                      "\"\n" + sources_toml;
  auto config = app::LoadConfig(f.config_file);
  EXPECT_TRUE(config) << config.error().message;
  if (!config) return f;
  auto runtime = app::Runtime::Open(*config);
  EXPECT_TRUE(runtime) << runtime.error().message;
  if (runtime) f.runtime = std::move(*runtime);
  return f;
}

std::string WebSourceToml(const TestSite& site, int forget_after = 3) {
  const std::string base = site.Url("/site/");
  return "[[sources]]\nname = \"intranet\"\nkind = \"web\"\nseeds = [\"" + base +
         "\"]\nallow = [\"" + base +
         "\"]\nmax_body_kb = 64\ndelay_ms = 0\nconnect_timeout_ms = 1000\n"
         "read_timeout_ms = 1000\nretries = 1\nretry_backoff_ms = 10\n"
         "forget_after_missed_crawls = " +
         std::to_string(forget_after) + "\n  [[sources.acl]]\n  match = \"" + base +
         "hr/**\"\n  roles = [\"hr\"]\n" + "  [[sources.acl]]\n  match = \"" + base +
         "**\"\n  roles = [\"everyone\"]\n";
}

app::CrawlRunReport Crawl(app::Runtime& runtime) {
  auto report = app::RunCrawl(runtime, std::nullopt);
  EXPECT_TRUE(report) << report.error().message;
  return report ? *report : app::CrawlRunReport{};
}

const crawler::CrawlStats& Stats(const app::CrawlRunReport& report) {
  return report.sources.at(kSource).stats;
}

bool HasIssue(const crawler::CrawlStats& stats, const std::string& url, const std::string& text) {
  for (const auto& issue : stats.issues) {
    if (issue.path == url && issue.reason.find(text) != std::string::npos) return true;
  }
  return false;
}

std::optional<store::StoredDocument> Find(app::Runtime& runtime, const std::string& path,
                                          const std::string& source = kSource) {
  auto doc = runtime.catalog().FindDocument(source, path);
  EXPECT_TRUE(doc) << doc.error().message;
  return doc ? *doc : std::nullopt;
}

bool Live(app::Runtime& runtime, const std::string& path, const std::string& source = kSource) {
  auto doc = Find(runtime, path, source);
  return doc && !doc->deleted;
}

std::vector<std::string> SearchPaths(app::Runtime& runtime, const std::vector<std::string>& roles,
                                     const std::string& query) {
  auto snapshot = retriever::LoadSnapshot(runtime.config().index_dir());
  EXPECT_TRUE(snapshot);
  if (!snapshot) return {};
  retriever::Retriever retriever(runtime.embedder(), runtime.config().retrieval,
                                 runtime.thesaurus());
  auto passages = retriever.Search(**snapshot, runtime.catalog(), Principal("t", roles), query, 10);
  EXPECT_TRUE(passages) << passages.error().message;
  std::vector<std::string> paths;
  if (passages) {
    for (const auto& passage : *passages) paths.push_back(passage.path);
  }
  return paths;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(WebCrawlTest, FirstCrawlFollowsRobotsSitemapsRedirectsAndLimits) {
  TestSite site;
  ASSERT_TRUE(site.Start());
  BuildSite(site, /*slow=*/true);
  Fixture f = Open(WebSourceToml(site));
  ASSERT_TRUE(f.runtime);
  const auto report = Crawl(*f.runtime);
  ASSERT_FALSE(report.sources.at(kSource).error) << report.sources.at(kSource).error->message;
  const auto& stats = Stats(report);
  auto url = [&](const std::string& path) { return site.Url(path); };

  // robots.txt: the Wissen group applies (not "*"), disallowed pages are never requested.
  EXPECT_EQ(site.Requests("/robots.txt"), 1u);
  EXPECT_EQ(site.Requests("/site/private/secret.html"), 0u);
  EXPECT_EQ(site.Requests("/site/run.cgi"), 0u);
  EXPECT_EQ(site.Requests("/site/private/open.html"), 1u);
  EXPECT_TRUE(Live(*f.runtime, url("/site/private/open.html")));
  // The sitemap index leads to a gzipped sitemap whose page nothing links to.
  EXPECT_TRUE(Live(*f.runtime, url("/site/sitemap-only.html")));
  // Redirects: followed in scope (indexed under the target), not out of scope.
  EXPECT_TRUE(Live(*f.runtime, url("/site/new.html")));
  EXPECT_FALSE(Find(*f.runtime, url("/site/old.html")));
  EXPECT_EQ(site.Requests("/elsewhere/page.html"), 0u);
  EXPECT_TRUE(HasIssue(stats, url("/site/out.html"), "out of scope"));
  // A link loop (with fragments and "./" variants) fetches each page once.
  EXPECT_EQ(site.Requests("/site/loop1.html"), 1u);
  EXPECT_EQ(site.Requests("/site/loop2.html"), 1u);
  EXPECT_EQ(site.Requests("/site/"), 1u);
  EXPECT_EQ(site.Requests("/site/LOOP1.html"), 1u);  // paths are case-sensitive: a 404
  // ISO-8859-1 converted to UTF-8.
  auto latin1 = Find(*f.runtime, url("/site/latin1.html"));
  ASSERT_TRUE(latin1);
  EXPECT_EQ(latin1->title, "Größe der Dienstwagen");
  EXPECT_TRUE(
      Contains(SearchPaths(*f.runtime, {}, "Dienstwagen Straße"), url("/site/latin1.html")));
  // Oversized, hanging and non-HTML pages are reported; the crawl went on.
  EXPECT_FALSE(Find(*f.runtime, url("/site/big.html")));
  EXPECT_TRUE(HasIssue(stats, url("/site/big.html"), "max_body_kb"));
  EXPECT_FALSE(Find(*f.runtime, url("/site/hang.html")));
  EXPECT_TRUE(HasIssue(stats, url("/site/hang.html"), "timed out"));
  EXPECT_TRUE(HasIssue(stats, url("/site/logo.png"), "image/png"));
  // A 5xx recovers on the retry; a duplicate is indexed once.
  EXPECT_EQ(site.Requests("/site/flaky.html"), 2u);
  EXPECT_TRUE(Live(*f.runtime, url("/site/flaky.html")));
  EXPECT_TRUE(Live(*f.runtime, url("/site/a.html")));
  EXPECT_FALSE(Find(*f.runtime, url("/site/copy-of-a.html")));
  EXPECT_TRUE(HasIssue(stats, url("/site/copy-of-a.html"), "duplicate of"));
  // URL rules: the HR page is readable by hr only.
  auto hr = Find(*f.runtime, url("/site/hr/gehalt.html"));
  ASSERT_TRUE(hr);
  EXPECT_EQ(hr->acl, Acl({"hr"}));
  EXPECT_FALSE(Contains(SearchPaths(*f.runtime, {}, "Gehaltsbänder Tarifgruppen"),
                        url("/site/hr/gehalt.html")));
  EXPECT_TRUE(Contains(SearchPaths(*f.runtime, {"hr"}, "Gehaltsbänder Tarifgruppen"),
                       url("/site/hr/gehalt.html")));
  EXPECT_EQ(report.status, "ok");
  site.Stop();
}

// Per-source HTTP auth: the secret comes from the environment, goes to the site on every
// request (robots.txt included), and appears in no report.
TEST(WebCrawlTest, BasicAuthSecretFromTheEnvironmentReachesTheSiteAndNoReport) {
  TestSite site;
  ASSERT_TRUE(site.Start());
  site.SetHtml("/site/", "Start", "Willkommen im Intranet.", {"/site/a.html"});
  site.SetHtml("/site/a.html", "Seite A", "Reisekosten werden innerhalb von 30 Tagen erstattet.");
  ::setenv("WISSEN_TEST_WEB_PASSWORD", "s3cret-Passw0rt", 1);
  const std::string auth =
      "  [sources.auth]\n  type = \"basic\"\n  user = \"crawler\"\n"
      "  password_env = \"WISSEN_TEST_WEB_PASSWORD\"\n";
  std::string toml = WebSourceToml(site);
  toml.insert(toml.find("  [[sources.acl]]"), auth);
  Fixture f = Open(toml);
  ASSERT_TRUE(f.runtime);
  const auto report = Crawl(*f.runtime);
  EXPECT_EQ(report.status, "ok");
  EXPECT_TRUE(Live(*f.runtime, site.Url("/site/a.html")));
  const auto log = site.Log();
  ASSERT_FALSE(log.empty());
  for (const auto& entry : log) {
    auto header = entry.headers.find("authorization");
    ASSERT_NE(header, entry.headers.end()) << entry.target;
    // base64("crawler:s3cret-Passw0rt")
    EXPECT_EQ(header->second, "Basic Y3Jhd2xlcjpzM2NyZXQtUGFzc3cwcnQ=") << entry.target;
  }
  EXPECT_EQ(app::CrawlReportJson(report).dump().find("s3cret"), std::string::npos);
  ::unsetenv("WISSEN_TEST_WEB_PASSWORD");
  site.Stop();
}

TEST(WebCrawlTest, UnchangedRecrawlCostsOnly304sAndSitemapLastmodSkips) {
  TestSite site;
  ASSERT_TRUE(site.Start());
  BuildSite(site, /*slow=*/false);
  Fixture f = Open(WebSourceToml(site));
  ASSERT_TRUE(f.runtime);
  const auto first = Crawl(*f.runtime);
  ASSERT_GT(Stats(first).added, 10);
  site.ClearLog();

  const auto second = Crawl(*f.runtime);
  const auto& stats = Stats(second);
  EXPECT_EQ(stats.added, 0);
  EXPECT_EQ(stats.changed, 0);
  EXPECT_EQ(stats.deleted, 0);
  EXPECT_GT(stats.not_modified, 10);
  // Every stored page answered 304 (no body), or was not requested at all.
  int stored_pages_requested = 0;
  for (const auto& entry : site.Log()) {
    const std::string page_url = site.Url(entry.target);
    if (Live(*f.runtime, page_url)) {
      ++stored_pages_requested;
      EXPECT_EQ(entry.status, 304) << entry.target;
      EXPECT_EQ(entry.body_bytes, 0u) << entry.target;
      EXPECT_TRUE(entry.headers.contains("if-none-match")) << entry.target;
    }
  }
  EXPECT_GT(stored_pages_requested, 10);
  // The sitemap's lastmod is unchanged: the page is not requested.
  EXPECT_EQ(site.Requests("/site/sitemap-only.html"), 0u);

  // A newer lastmod makes the crawler ask again (and the unchanged page answers 304).
  Page sitemap;
  sitemap.content_type = "application/gzip";
  sitemap.body =
      test_site::Gzip(SitemapXml({{site.Url("/site/sitemap-only.html"), "2024-06-01T08:00:00Z"}}));
  site.Set("/sitemaps/pages.xml.gz", sitemap);
  site.ClearLog();
  Crawl(*f.runtime);
  EXPECT_EQ(site.Requests("/site/sitemap-only.html"), 1u);
  for (const auto& entry : site.Log()) {
    if (entry.target == "/site/sitemap-only.html") EXPECT_EQ(entry.status, 304);
  }
  site.Stop();
}

// An index an older version built: the intranet's PDF was parsed by the PDF parser before it
// found sections. The next crawl must fetch it in full (no validators, so no 304) and parse it
// again; the HTML pages, whose parser did not change, still cost only a 304 or nothing.
TEST(WebCrawlTest, APageOfAnOlderParserIsFetchedInFullAndParsedAgain) {
  TestSite site;
  ASSERT_TRUE(site.Start());
  BuildSite(site, /*slow=*/false);
  Page pdf;
  pdf.content_type = "application/pdf";
  {
    std::ifstream in(fs::path(WISSEN_SOURCE_DIR) / "tests/fixtures/parsers/sections.pdf",
                     std::ios::binary);
    pdf.body.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(pdf.body.empty());
  site.Set("/site/handbuch.pdf", pdf);
  site.SetHtml("/site/", "Startseite", "Willkommen im Intranet.",
               {"a.html", "b.html", "c.html", "handbuch.pdf"});
  // With an unchanged sitemap lastmod the PDF would not even be requested.
  Page sitemap;
  sitemap.content_type = "application/gzip";
  sitemap.body =
      test_site::Gzip(SitemapXml({{site.Url("/site/sitemap-only.html"), "2024-05-01T08:00:00Z"},
                                  {site.Url("/site/handbuch.pdf"), "2024-05-01T08:00:00Z"}}));
  site.Set("/sitemaps/pages.xml.gz", sitemap);
  Fixture f = Open(WebSourceToml(site));
  ASSERT_TRUE(f.runtime);
  const auto first = Crawl(*f.runtime);
  const std::string pdf_url = site.Url("/site/handbuch.pdf");
  ASSERT_TRUE(Live(*f.runtime, pdf_url));
  {
    pqxx::connection connection(f.database_url);
    pqxx::work tx(connection);
    tx.exec("UPDATE documents SET parser_version = 1");
    tx.commit();
  }
  site.ClearLog();

  const auto second = Crawl(*f.runtime);
  EXPECT_EQ(Stats(second).changed, 1);
  EXPECT_EQ(Stats(second).added, 0);
  for (const auto& entry : site.Log()) {
    if (entry.target == "/site/handbuch.pdf") {
      EXPECT_EQ(entry.status, 200);
      EXPECT_FALSE(entry.headers.contains("if-none-match"));
    } else if (Live(*f.runtime, site.Url(entry.target))) {
      EXPECT_EQ(entry.status, 304) << entry.target;
    }
  }
  EXPECT_EQ(site.Requests("/site/handbuch.pdf"), 1u);
  const auto stored = Find(*f.runtime, pdf_url);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->parser_version, crawler::ParserVersion("application/pdf"));
  site.Stop();
}

TEST(WebCrawlTest, GonePagesAreDeletedAtOnceAndMissedPagesAfterNCrawls) {
  TestSite site;
  ASSERT_TRUE(site.Start());
  BuildSite(site, /*slow=*/false);
  Fixture f = Open(WebSourceToml(site, /*forget_after=*/2));
  ASSERT_TRUE(f.runtime);
  Crawl(*f.runtime);
  const std::string a = site.Url("/site/a.html"), b = site.Url("/site/b.html"),
                    c = site.Url("/site/c.html");
  ASSERT_TRUE(Live(*f.runtime, a) && Live(*f.runtime, b) && Live(*f.runtime, c));

  site.Remove("/site/a.html");  // 404
  Page gone;
  gone.status = 410;
  site.Set("/site/b.html", gone);
  // c.html is still served, but nothing links to it any more.
  site.SetHtml("/site/", "Startseite", "Willkommen im Intranet.",
               {"a.html", "b.html", "new.html", "flaky.html", "hr/gehalt.html"});
  const auto second = Crawl(*f.runtime);
  EXPECT_GE(Stats(second).deleted, 2);
  EXPECT_FALSE(Live(*f.runtime, a));
  EXPECT_FALSE(Live(*f.runtime, b));
  EXPECT_TRUE(Live(*f.runtime, c));  // missed once: kept
  EXPECT_FALSE(Contains(SearchPaths(*f.runtime, {}, "Kantine"), b));

  Crawl(*f.runtime);
  EXPECT_FALSE(Live(*f.runtime, c));  // missed twice: removed
  EXPECT_FALSE(Contains(SearchPaths(*f.runtime, {}, "Parkplätze Hof"), c));
  EXPECT_TRUE(Live(*f.runtime, site.Url("/site/hr/gehalt.html")));
  site.Stop();
}

TEST(WebCrawlTest, UnreachableSiteFailsTheSourceAndDeletesNothing) {
  TestSite site;
  ASSERT_TRUE(site.Start());
  BuildSite(site, /*slow=*/false);
  Fixture f = Open(WebSourceToml(site, /*forget_after=*/1));
  ASSERT_TRUE(f.runtime);
  const auto first = Crawl(*f.runtime);
  const int64_t stored = Stats(first).added;
  ASSERT_GT(stored, 10);
  const std::string a = site.Url("/site/a.html");
  site.Stop();

  const auto second = Crawl(*f.runtime);
  ASSERT_TRUE(second.sources.at(kSource).error);
  EXPECT_EQ(second.sources.at(kSource).error->code, ErrorCode::kUnavailable);
  EXPECT_EQ(second.status, "partial");
  EXPECT_TRUE(Live(*f.runtime, a));
  auto counts = f.runtime->catalog().CountAll();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->deleted_documents, 0);
}

// Two groups the file's group can be changed between: any two as root, else two of the
// caller's groups.
std::optional<std::pair<gid_t, gid_t>> TwoUsableGroups() {
  std::vector<gid_t> gids;
  if (geteuid() == 0) {
    for (const char* name : {"users", "staff", "adm", "daemon", "bin"}) {
      if (const group* g = getgrnam(name)) gids.push_back(g->gr_gid);
    }
  } else {
    gids.push_back(getegid());
    std::vector<gid_t> extra(256);
    const int n = getgroups(static_cast<int>(extra.size()), extra.data());
    for (int i = 0; i < n; ++i) {
      if (extra[i] != getegid()) gids.push_back(extra[i]);
    }
  }
  if (gids.size() < 2) return std::nullopt;
  return std::make_pair(gids[0], gids[1]);
}

std::string GroupName(gid_t gid) {
  const group* g = getgrgid(gid);
  return g != nullptr ? g->gr_name : std::to_string(gid);
}

TEST(FsGroupRolesTest, GroupMapsToRolesAndAChgrpAloneChangesTheAcl) {
  const auto groups = TwoUsableGroups();
  if (!groups) GTEST_SKIP() << "needs two groups to chgrp between; this user has only one";
  const auto [plain_gid, hr_gid] = *groups;
  const fs::path corpus = testing::MakeTempDir("groups-");
  const fs::path pay = corpus / "gehalt.txt";
  std::ofstream(pay) << "Gehaltsbänder 2025\n\nDie Tarifgruppen steigen um drei Prozent.\n";
  std::ofstream(corpus / "kantine.txt") << "Kantine\n\nDie Kantine öffnet um elf Uhr.\n";
  ASSERT_EQ(chown(pay.c_str(), static_cast<uid_t>(-1), plain_gid), 0) << std::strerror(errno);
  Fixture f = Open("[[sources]]\nname = \"share\"\nkind = \"fs\"\nroot = \"" + corpus.string() +
                   "\"\ngroup_roles_mode = \"replace\"\ngroup_roles = { \"" + GroupName(hr_gid) +
                   "\" = [\"hr\"] }\n  [[sources.acl]]\n  match = \"**\"\n"
                   "  roles = [\"everyone\"]\n");
  ASSERT_TRUE(f.runtime);
  auto report = Crawl(*f.runtime);
  ASSERT_FALSE(report.sources.at("share").error);
  auto doc = Find(*f.runtime, "gehalt.txt", "share");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->acl, Acl({"everyone"}));
  EXPECT_TRUE(Contains(SearchPaths(*f.runtime, {}, "Tarifgruppen"), "gehalt.txt"));

  // Only the group changes: same bytes, same mtime.
  ASSERT_EQ(chown(pay.c_str(), static_cast<uid_t>(-1), hr_gid), 0) << std::strerror(errno);
  report = Crawl(*f.runtime);
  const auto& stats = report.sources.at("share").stats;
  EXPECT_EQ(stats.acl_changed, 1);
  EXPECT_EQ(stats.changed, 0);
  doc = Find(*f.runtime, "gehalt.txt", "share");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->acl, Acl({"hr"}));
  EXPECT_EQ(doc->acl_rule, "group " + GroupName(hr_gid));
  EXPECT_FALSE(Contains(SearchPaths(*f.runtime, {}, "Tarifgruppen"), "gehalt.txt"));
  EXPECT_TRUE(Contains(SearchPaths(*f.runtime, {"hr"}, "Tarifgruppen"), "gehalt.txt"));
  // The other file's group maps to nothing: its path rule stands.
  EXPECT_EQ(Find(*f.runtime, "kantine.txt", "share")->acl, Acl({"everyone"}));
}

}  // namespace
}  // namespace wissen
