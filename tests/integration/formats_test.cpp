// Every format the crawler reads, end to end on the samples with a real PostgreSQL: Office
// files, an e-mail with a PDF attachment and a scanned notice are found by a sentence of
// theirs and cited by their heading, slide, sheet, attachment or page; a user without the
// role finds nothing of the restricted ones. Plus what a file share also holds: an mbox
// file, a legacy .doc and a password-protected Office file.
#include <gtest/gtest.h>

#include <fstream>
#include <pqxx/pqxx>

#include "samples_config.h"
#include "test_cluster.h"
#include "wissen/app/crawl_run.h"
#include "wissen/app/runtime.h"
#include "wissen/retriever/retriever.h"

namespace wissen {
namespace {
namespace fs = std::filesystem;

const fs::path kSamples = fs::path(WISSEN_SOURCE_DIR) / "samples";

std::unique_ptr<app::Runtime> OpenRuntime(const fs::path& config_file) {
  auto config = app::LoadConfig(config_file);
  EXPECT_TRUE(config) << config.error().message;
  if (!config) return nullptr;
  auto runtime = app::Runtime::Open(*config);
  EXPECT_TRUE(runtime) << runtime.error().message;
  return runtime ? std::move(*runtime) : nullptr;
}

std::vector<Passage> Search(app::Runtime& runtime, const std::vector<std::string>& roles,
                            const std::string& query, int k = 5) {
  auto snapshot = retriever::LoadSnapshot(runtime.config().index_dir());
  EXPECT_TRUE(snapshot);
  if (!snapshot) return {};
  retriever::Retriever retriever(runtime.embedder(), runtime.config().retrieval,
                                 runtime.thesaurus());
  auto passages = retriever.Search(**snapshot, runtime.catalog(), Principal("t", roles), query, k);
  EXPECT_TRUE(passages) << passages.error().message;
  return passages ? *passages : std::vector<Passage>{};
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

class FormatsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path dir = testing::MakeTempDir("formats-");
    const fs::path config_file = dir / "wissen.toml";
    std::ofstream(config_file) << testing::SamplesConfigToml(testing::FreshDatabase(), kSamples);
    runtime_ = OpenRuntime(config_file).release();
    ASSERT_NE(runtime_, nullptr);
    auto report = app::RunCrawl(*runtime_, std::nullopt);
    ASSERT_TRUE(report) << report.error().message;
    report_ = new app::CrawlRunReport(std::move(*report));
  }
  static void TearDownTestSuite() {
    delete report_;
    delete runtime_;
  }

  // The best passage for `query` by a user with `roles`; fails when it is not from `path`.
  static Passage Top(const std::vector<std::string>& roles, const std::string& query,
                     const std::string& path) {
    const auto passages = Search(*runtime_, roles, query);
    EXPECT_FALSE(passages.empty()) << query;
    if (passages.empty()) return {};
    EXPECT_EQ(passages.front().path, path) << query;
    return passages.front();
  }

  // A user with only "everyone" gets nothing of `path` for `query`.
  static void ExpectHiddenFromEveryone(const std::string& query, const std::string& path) {
    for (const Passage& passage : Search(*runtime_, {}, query, 20)) {
      EXPECT_NE(passage.path, path) << query;
      EXPECT_FALSE(Contains(passage.text, "CANARY-SAMPLE")) << passage.path;
    }
  }

  static app::Runtime* runtime_;
  static app::CrawlRunReport* report_;
};

app::Runtime* FormatsTest::runtime_ = nullptr;
app::CrawlRunReport* FormatsTest::report_ = nullptr;

TEST_F(FormatsTest, EveryFormatOfTheSamplesCrawlsWithoutFailures) {
  const auto& stats = report_->sources.at("samples").stats;
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(stats.skipped, 0);
  EXPECT_EQ(stats.partial, 0);
  for (const auto& issue : stats.issues) ADD_FAILURE() << issue.path << ": " << issue.reason;
  EXPECT_EQ(report_->ocr, "on (deu+eng)") << "scripts/setup installs Tesseract";
}

TEST_F(FormatsTest, WordPolicyIsCitedByItsHeadingsAndOnlyForHr) {
  const std::string path = "hr/de/richtlinie-mobiles-arbeiten.docx";
  const Passage top = Top({"hr"}, "An wie vielen Tagen pro Woche darf ich mobil arbeiten?", path);
  EXPECT_TRUE(Contains(top.text, "bis zu drei Arbeitstagen pro Woche")) << top.text;
  EXPECT_EQ(top.heading_path, "Richtlinie Mobiles Arbeiten \u203A 2 Anspruch und Umfang");
  EXPECT_EQ(top.title, "Richtlinie Mobiles Arbeiten");
  const Passage table = Top({"hr"}, "Zuschuss Bürostuhl Internetanschluss", path);
  EXPECT_TRUE(Contains(table.text, "Bürostuhl | 250 Euro einmalig")) << table.text;
  ExpectHiddenFromEveryone("Richtlinie mobiles Arbeiten Zuschuss Bürostuhl drei Arbeitstage", path);
}

TEST_F(FormatsTest, SpreadsheetRowsKeepTheirSheetAndHeader) {
  const std::string path = "rnd/de/kalkulation-bx750.xlsx";
  const Passage top = Top({"rnd"}, "Stückpreis Rundzelle 21700 Lieferant", path);
  EXPECT_TRUE(Contains(top.heading_path, "Stückliste")) << top.heading_path;
  EXPECT_TRUE(Contains(top.text, "Bauteil | Lieferant")) << top.text;
  EXPECT_TRUE(Contains(top.text, "Rundzelle 21700 | Voltara Cells")) << top.text;
  const Passage targets = Top({"rnd"}, "Zielkosten Zellpaket Verantwortlich", path);
  EXPECT_TRUE(Contains(targets.heading_path, "Zielkosten")) << targets.heading_path;
  ExpectHiddenFromEveryone("Stückliste BX-750 Rundzelle Voltara Cells Zielkosten", path);
}

TEST_F(FormatsTest, SlidesAreCitedByTheirTitleWithSpeakerNotes) {
  const std::string path = "rnd/en/bx750-design-review.pptx";
  const Passage top = Top({"rnd"}, "How do the cells stay cool at 20 A discharge?", path);
  EXPECT_TRUE(Contains(top.heading_path, "Thermal management")) << top.heading_path;
  EXPECT_TRUE(Contains(top.text, "graphite heat spreader")) << top.text;
  const Passage notes = Top({"rnd"}, "heat spreader second supplier purchasing", path);
  EXPECT_TRUE(Contains(notes.text, "ask purchasing for a second supplier")) << notes.text;
  ExpectHiddenFromEveryone("BX-750 design review thermal management graphite heat spreader", path);
}

TEST_F(FormatsTest, OpenDocumentTextIsPublic) {
  const Passage top =
      Top({}, "Wohin führt der Betriebsausflug 2026?", "public/de/betriebsausflug-2026.odt");
  EXPECT_TRUE(Contains(top.text, "an den Edersee")) << top.text;
  EXPECT_TRUE(Contains(top.heading_path, "Termin und Ziel")) << top.heading_path;
}

TEST_F(FormatsTest, AnEmailsAttachmentIsCitedUnderTheSubject) {
  const std::string path = "public/en/it-newsletter-2026-11.eml";
  const Passage body = Top({}, "When do the printers switch to follow-me printing?", path);
  EXPECT_TRUE(Contains(body.text, "1 December 2026")) << body.text;
  EXPECT_EQ(body.title, "IT newsletter November 2026: follow-me printing");
  const Passage attachment = Top({}, "card reader secure queue release print job badge", path);
  EXPECT_TRUE(Contains(attachment.text, "hold your badge against the card reader"))
      << attachment.text;
  EXPECT_TRUE(Contains(attachment.heading_path, "follow-me-printing.pdf"))
      << attachment.heading_path;
}

TEST_F(FormatsTest, TheScannedNoticeIsReadByOcr) {
  const Passage top = Top({}, "Wo ist der Sammelplatz bei der Brandschutzübung?",
                          "public/de/aushang-brandschutzuebung.pdf");
  EXPECT_TRUE(Contains(top.text, "Parkplatz Nord")) << top.text;
  EXPECT_EQ(top.page, 1);
}

// What else lies on a share: an mbox archive is one document per message; legacy and
// password-protected Office files are reported with a reason instead of failing the crawl.
TEST(FormatsOnAShareTest, MboxMessagesLegacyAndProtectedOfficeFiles) {
  const fs::path dir = testing::MakeTempDir("share-");
  const fs::path root = dir / "share";
  fs::create_directories(root / "public");
  std::ofstream(root / "public" / "archive.mbox", std::ios::binary)
      << "From alice@example.com Mon Nov 30 09:00:00 2026\n"
         "From: Alice <alice@example.com>\nTo: team@example.com\n"
         "Subject: Quarterly inventory\nDate: Mon, 30 Nov 2026 09:00:00 +0100\n"
         "Message-ID: <1@example.com>\n\n"
         "The quarterly inventory of the spare parts store starts on 7 December.\n\n"
         "From bob@example.com Tue Dec 1 10:00:00 2026\n"
         "From: Bob <bob@example.com>\nTo: team@example.com\n"
         "Subject: Parking\nDate: Tue, 01 Dec 2026 10:00:00 +0100\n"
         "Message-ID: <2@example.com>\n\n"
         "The visitor car park closes for resurfacing from 14 December.\n";
  // A Compound File header is all that tells a legacy .doc from other binary data.
  const std::string ole2_magic("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  std::ofstream(root / "public" / "old-memo.doc", std::ios::binary)
      << ole2_magic << std::string(504, '\0');
  const std::string encrypted_package("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
  std::ofstream(root / "public" / "secret.docx", std::ios::binary)
      << ole2_magic << std::string(100, '\0') << encrypted_package << std::string(100, '\0');
  const fs::path config_file = dir / "wissen.toml";
  std::ofstream(config_file)
      << "[data]\ndir = \"data\"\n[database]\nurl = \"" << testing::FreshDatabase()
      << "\"\n[[sources]]\nname = \"share\"\nkind = \"fs\"\nroot = \"" << root.string()
      << "\"\n  [[sources.acl]]\n  match = \"**\"\n  roles = [\"everyone\"]\n";
  auto runtime = OpenRuntime(config_file);
  ASSERT_NE(runtime, nullptr);
  auto report = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(report) << report.error().message;
  const auto& stats = report->sources.at("share").stats;
  EXPECT_EQ(stats.added, 2);
  EXPECT_EQ(stats.skipped, 2);
  EXPECT_EQ(stats.failed, 0);
  std::map<std::string, std::string> reasons;
  for (const auto& issue : stats.issues) reasons[issue.path] = issue.reason;
  EXPECT_TRUE(Contains(reasons["public/old-memo.doc"], "legacy binary Office format"));
  EXPECT_TRUE(Contains(reasons["public/secret.docx"], "password-protected"));

  const auto parking = Search(*runtime, {}, "When does the visitor car park close?");
  ASSERT_FALSE(parking.empty());
  EXPECT_EQ(parking.front().path, "public/archive.mbox#2");
  EXPECT_EQ(parking.front().title, "Parking");
  auto first = runtime->catalog().FindDocument("share", "public/archive.mbox#1");
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ((*first)->mime, "message/rfc822");

  // Unchanged: nothing is read again; one more message: only it is parsed.
  auto again = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sources.at("share").stats.unchanged, 2);
  EXPECT_EQ(again->sources.at("share").stats.bytes_parsed, 0);
  std::ofstream(root / "public" / "archive.mbox", std::ios::binary | std::ios::app)
      << "\nFrom carol@example.com Wed Dec 2 11:00:00 2026\n"
         "From: Carol <carol@example.com>\nSubject: Canteen\n"
         "Date: Wed, 02 Dec 2026 11:00:00 +0100\nMessage-ID: <3@example.com>\n\n"
         "The canteen serves a Christmas menu on 17 December.\n";
  auto grown = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(grown);
  EXPECT_EQ(grown->sources.at("share").stats.added, 1);
  EXPECT_EQ(grown->sources.at("share").stats.unchanged, 2);
  EXPECT_EQ(grown->sources.at("share").stats.changed, 0);
}

// Recognised pages are kept by page hash, shared by every file that has the page, and
// forgotten once no live document has them: a deleted scan's text does not stay behind.
TEST(FormatsOnAShareTest, OcrPagesAreCachedAndForgottenWithTheirDocuments) {
  const fs::path dir = testing::MakeTempDir("ocr-cache-");
  const fs::path root = dir / "share";
  fs::create_directories(root);
  const fs::path scan = kSamples / "public" / "de" / "aushang-brandschutzuebung.pdf";
  fs::copy_file(scan, root / "aushang.pdf");
  const std::string database_url = testing::FreshDatabase();
  const fs::path config_file = dir / "wissen.toml";
  std::ofstream(config_file)
      << "[data]\ndir = \"data\"\n[database]\nurl = \"" << database_url
      << "\"\n[[sources]]\nname = \"share\"\nkind = \"fs\"\nroot = \"" << root.string()
      << "\"\n  [[sources.acl]]\n  match = \"**\"\n  roles = [\"everyone\"]\n";
  auto runtime = OpenRuntime(config_file);
  ASSERT_NE(runtime, nullptr);
  pqxx::connection db(database_url);
  const auto pages = [&db] {
    pqxx::read_transaction tx(db);
    return tx.exec1("SELECT count(*) FROM ocr_pages")[0].as<int64_t>(0);
  };
  const auto files_of_the_page = [&db] {
    pqxx::read_transaction tx(db);
    return tx.exec1("SELECT max(cardinality(content_hashes)) FROM ocr_pages")[0].as<int64_t>(0);
  };

  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  EXPECT_EQ(pages(), 1);
  EXPECT_EQ(files_of_the_page(), 1);
  // Another file with the same scanned page (other bytes: a trailing comment) finds it.
  {
    std::ifstream in(scan, std::ios::binary);
    std::ofstream out(root / "aushang-kopie.pdf", std::ios::binary);
    out << in.rdbuf() << "\n% Kopie fuer das Schwarze Brett\n";
  }
  auto second = app::RunCrawl(*runtime, std::nullopt);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->sources.at("share").stats.added, 1);
  EXPECT_EQ(pages(), 1);
  EXPECT_EQ(files_of_the_page(), 2);
  const auto found = Search(*runtime, {}, "Sammelplatz Parkplatz Nord", 5);
  ASSERT_EQ(found.size(), 2u);

  // One copy gone: the page stays for the other. Both gone: the text goes too.
  fs::remove(root / "aushang-kopie.pdf");
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  EXPECT_EQ(pages(), 1);
  std::ofstream(root / "other.txt") << "Something else, so the share is not empty.\n";
  fs::remove(root / "aushang.pdf");
  ASSERT_TRUE(app::RunCrawl(*runtime, std::nullopt));
  EXPECT_EQ(pages(), 0);
}

}  // namespace
}  // namespace wissen
