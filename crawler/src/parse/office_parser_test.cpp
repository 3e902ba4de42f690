#include "office_parser.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser_test_util.h"
#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

using test_util::Contains;

using Parts = std::vector<std::pair<std::string, std::string>>;
using Path = std::vector<std::string>;

std::string ReadFixture(const std::string& name) { return test_util::ReadFixture("office", name); }

// A zip archive of the parts, deflated, written by libzip into memory; the part named
// `encrypted` is encrypted with AES and the password "geheim".
std::string MakeZip(const Parts& parts, std::string_view encrypted = "") {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_error_fini(&error);
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, nullptr);
  EXPECT_NE(archive, nullptr);
  for (const auto& [name, content] : parts) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    EXPECT_GE(index, 0) << name;
    if (name == encrypted) {
      EXPECT_EQ(zip_file_set_encryption(archive, index, ZIP_EM_AES_256, "geheim"), 0);
    }
  }
  EXPECT_EQ(zip_close(archive), 0);
  std::string bytes;
  EXPECT_EQ(zip_source_open(buffer), 0);
  char chunk[65536];
  zip_int64_t n;
  while ((n = zip_source_read(buffer, chunk, sizeof(chunk))) > 0) bytes.append(chunk, n);
  zip_source_close(buffer);
  zip_source_free(buffer);
  return bytes;
}

constexpr char kWordNs[] =
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
    "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" "
    "xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\" "
    "xmlns:v=\"urn:schemas-microsoft-com:vml\"";

std::string WordDocument(std::string_view body) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document ") + kWordNs +
         "><w:body>" + std::string(body) + "</w:body></w:document>";
}

std::string Paragraph(std::string_view text, std::string_view style = "") {
  std::string p = "<w:p>";
  if (!style.empty()) p += "<w:pPr><w:pStyle w:val=\"" + std::string(style) + "\"/></w:pPr>";
  return p + "<w:r><w:t xml:space=\"preserve\">" + std::string(text) + "</w:t></w:r></w:p>";
}

// A .docx package around word/document.xml, with relationships to styles, footnotes and
// comments parts (present or not) and any further parts.
std::string MakeDocx(std::string document, Parts more = {}, std::string_view encrypted = "") {
  Parts parts = {
      {"[Content_Types].xml",
       "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/"
       "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
      {"_rels/.rels",
       "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
       "2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
       "officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
       "</Relationships>"},
      {"word/_rels/document.xml.rels",
       "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
       "2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/"
       "officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/><Relationship "
       "Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
       "footnotes\" Target=\"footnotes.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas."
       "openxmlformats.org/officeDocument/2006/relationships/comments\" Target=\"comments.xml\"/>"
       "</Relationships>"},
      {"word/document.xml", std::move(document)}};
  for (auto& part : more) parts.push_back(std::move(part));
  return MakeZip(parts, encrypted);
}

std::string AllText(const ParsedDocument& doc) {
  std::string all = doc.title + "\n";
  for (const Block& block : doc.blocks) all += block.text + "\n";
  return all;
}

struct BlockSummary {
  int page;
  Path path;
  bool table;
  std::string text;
  bool operator==(const BlockSummary&) const = default;
};

std::ostream& operator<<(std::ostream& out, const BlockSummary& b) {
  out << "{page " << b.page << ", [";
  for (const std::string& h : b.path) out << h << ";";
  return out << "], table " << b.table << ", \"" << b.text << "\"}";
}

std::vector<BlockSummary> Summaries(const ParsedDocument& doc) {
  std::vector<BlockSummary> out;
  for (const Block& b : doc.blocks) out.push_back({b.page, b.heading_path, b.table, b.text});
  return out;
}

// parsers.h: valid UTF-8, no empty block, tables a line per row starting with the header.
void ExpectInvariants(const ParsedDocument& doc) {
  EXPECT_TRUE(IsValidUtf8(doc.title));
  EXPECT_TRUE(IsValidUtf8(doc.author));
  for (const Block& block : doc.blocks) {
    EXPECT_FALSE(TrimAscii(block.text).empty());
    EXPECT_TRUE(IsValidUtf8(block.text));
    EXPECT_FALSE(Contains(block.text, "\n\n\n"));
    EXPECT_FALSE(Contains(block.text, "  "));
    if (block.table) {
      EXPECT_FALSE(Contains(block.text, "\n\n"));
      EXPECT_TRUE(block.text.starts_with(block.table_header + "\n") ||
                  block.text == block.table_header);
    } else {
      EXPECT_TRUE(block.table_header.empty());
    }
  }
}

// ---- fixtures converted by LibreOffice ---------------------------------------------------

// handbook.docx and handbook.odt come from one source and read the same.
class OfficeHandbookTest : public testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(OfficeHandbookTest, HeadingsTablesFootnotesAndTextBoxes) {
  const auto [file, mime] = GetParam();
  auto doc = ParseOffice(ReadFixture(file), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->mime, mime);
  EXPECT_EQ(doc->title, "Mitarbeiterhandbuch 2025");
  EXPECT_EQ(doc->author, "Erika Mustermann");
  ASSERT_EQ(doc->metadata.size(), 2u);
  EXPECT_EQ(doc->metadata[0].first, "created");
  EXPECT_TRUE(doc->metadata[0].second.starts_with("2025-01-15T09:30:00"));
  EXPECT_EQ(doc->metadata[1].first, "modified");
  EXPECT_TRUE(doc->metadata[1].second.starts_with("2025-02-01T12:00:00"));
  EXPECT_TRUE(doc->warnings.empty());
  // The Title paragraph repeats the title and is not text; footnotes and text boxes follow
  // the paragraph they belong to.
  EXPECT_EQ(
      Summaries(*doc),
      (std::vector<BlockSummary>{
          {0,
           {},
           false,
           "Dieses Handbuch fasst die wichtigsten Regeln für alle Beschäftigten zusammen."},
          {0,
           {"Urlaub"},
           false,
           "Der Anspruch beträgt 30 Arbeitstage pro Kalenderjahr.\n\nTeilzeitkräfte "
           "erhalten den Anspruch anteilig."},
          {0, {"Urlaub", "Resturlaub"}, false, "Resturlaub verfällt am 31. März des Folgejahres."},
          {0, {"Reisekosten"}, false, "Die folgende Tabelle zeigt die Pauschalen."},
          {0,
           {"Reisekosten"},
           true,
           "Land | Tagessatz | Übernachtung\nDeutschland | 28 € | 120 €\nFrankreich | 40 € "
           "| 150 €"},
          {0,
           {"Reisekosten", "Travel policy"},
           false,
           "Economy class is mandatory for flights under four hours.\n\nBook trains at "
           "least two weeks ahead."},
      }));
  EXPECT_EQ(doc->blocks[4].table_header, "Land | Tagessatz | Übernachtung");
  ExpectInvariants(*doc);
}

INSTANTIATE_TEST_SUITE_P(
    Office, OfficeHandbookTest,
    testing::Values(
        std::make_pair("handbook.docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        std::make_pair("handbook.odt", "application/vnd.oasis.opendocument.text")));

class OfficeBudgetTest : public testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(OfficeBudgetTest, OneTableBlockPerSheet) {
  const auto [file, mime] = GetParam();
  auto doc = ParseOffice(ReadFixture(file), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->mime, mime);
  EXPECT_EQ(doc->title, "Budget 2025");
  EXPECT_EQ(doc->author, "Jonas Weber");
  // The sum is a formula's cached value; "Reserve" is one cell repeated over two columns and
  // two rows in the OpenDocument source.
  EXPECT_EQ(Summaries(*doc),
            (std::vector<BlockSummary>{
                {0,
                 {"Kosten"},
                 true,
                 "Posten | Betrag | Status\nMiete | 12000 | bezahlt\nPersonal | 48000 | offen\n"
                 "Summe | 60000\nReserve | Reserve\nReserve | Reserve"},
                {0,
                 {"Travel"},
                 true,
                 "Name | Destination | Date\nAnna | Berlin | 2025-03-10\nBen | London | "
                 "2025-04-02"},
            }));
  EXPECT_EQ(doc->blocks[0].table_header, "Posten | Betrag | Status");
  EXPECT_EQ(doc->blocks[1].table_header, "Name | Destination | Date");
  ExpectInvariants(*doc);
}

INSTANTIATE_TEST_SUITE_P(
    Office, OfficeBudgetTest,
    testing::Values(
        std::make_pair("budget.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        std::make_pair("budget.ods", "application/vnd.oasis.opendocument.spreadsheet")));

class OfficeDeckTest : public testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(OfficeDeckTest, SlidesWithTitlesTablesAndSpeakerNotes) {
  const auto [file, mime] = GetParam();
  auto doc = ParseOffice(ReadFixture(file), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->mime, mime);
  // No title in the metadata: the first slide's title is the deck's.
  EXPECT_EQ(doc->title, "Quartalsbericht Q1 2025");
  EXPECT_EQ(doc->author, "Lena Schmidt");
  // page = slide number; an untitled slide has an empty heading path.
  EXPECT_EQ(
      Summaries(*doc),
      (std::vector<BlockSummary>{
          {1,
           {"Quartalsbericht Q1 2025"},
           false,
           "Vertrieb und Service\n\nBegrüßung der Teilnehmer und kurzer Rückblick."},
          {2, {"Umsatz nach Region"}, false, "Der Umsatz stieg um 12 Prozent."},
          {2, {"Umsatz nach Region"}, true, "Region | Umsatz\nNord | 1,2 Mio €\nSüd | 0,9 Mio €"},
          {2, {"Umsatz nach Region"}, false, "Mention the new customers in the south."},
          {3, {}, false, "Thank you for listening."},
      }));
  EXPECT_EQ(doc->blocks[2].table_header, "Region | Umsatz");
  ExpectInvariants(*doc);
}

INSTANTIATE_TEST_SUITE_P(
    Office, OfficeDeckTest,
    testing::Values(
        std::make_pair("deck.pptx",
                       "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        std::make_pair("deck.odp", "application/vnd.oasis.opendocument.presentation")));

TEST(OfficeParserTest, CommentsOnlyWithTheOption) {
  const std::pair<const char*, const char*> cases[] = {
      {"handbook.docx", "Bitte mit dem Betriebsrat abstimmen."},
      {"handbook.odt", "Bitte mit dem Betriebsrat abstimmen."},
      {"budget.xlsx", "Zahlung im März prüfen."},
      {"budget.ods", "Zahlung im März prüfen."},
      {"deck.pptx", "Zahlen vom Controlling bestätigen lassen."},
      {"deck.odp", "Zahlen vom Controlling bestätigen lassen."}};
  for (const auto& [file, comment] : cases) {
    SCOPED_TRACE(file);
    const std::string bytes = ReadFixture(file);
    auto without = ParseOffice(bytes, {});
    ASSERT_TRUE(without.has_value()) << without.error().ToString();
    EXPECT_FALSE(Contains(AllText(*without), comment));
    ParseOptions options;
    options.office_comments = true;
    auto with = ParseOffice(bytes, options);
    ASSERT_TRUE(with.has_value()) << with.error().ToString();
    EXPECT_TRUE(Contains(AllText(*with), comment)) << AllText(*with);
    ExpectInvariants(*with);
  }
  // A comment is its own paragraph after the one it is anchored to, in the same section.
  ParseOptions options;
  options.office_comments = true;
  auto docx = ParseOffice(ReadFixture("handbook.docx"), options);
  ASSERT_TRUE(docx.has_value());
  EXPECT_EQ(docx->blocks[2].text,
            "Resturlaub verfällt am 31. März des Folgejahres.\n\nBitte mit dem Betriebsrat "
            "abstimmen.");
  // Spreadsheet comments follow the sheet's table, under the sheet's name.
  auto ods = ParseOffice(ReadFixture("budget.ods"), options);
  ASSERT_TRUE(ods.has_value());
  ASSERT_EQ(ods->blocks.size(), 3u);
  EXPECT_EQ(ods->blocks[1].heading_path, Path{"Kosten"});
  EXPECT_FALSE(ods->blocks[1].table);
  EXPECT_EQ(ods->blocks[1].text, "Zahlung im März prüfen.");
}

TEST(OfficeParserTest, ParseDocumentDetectsLanguageAndVersion) {
  auto doc = ParseDocument(ReadFixture("handbook.docx"), "Handbuch.docx");
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->language, "de");
  EXPECT_EQ(doc->parser_version, 1);
  EXPECT_EQ(doc->blocks.size(), 6u);
}

// ---- Word documents built here -------------------------------------------------------------

TEST(OfficeParserTest, WordHeadingStylesByOutlineLevelNameAndLocalizedId) {
  const std::string styles =
      std::string("<?xml version=\"1.0\"?><w:styles ") + kWordNs +
      "><w:style w:type=\"paragraph\" w:styleId=\"Standard\"><w:name w:val=\"Normal\"/>"
      "</w:style><w:style w:type=\"paragraph\" w:styleId=\"berschrift1\"><w:name "
      "w:val=\"Überschrift 1\"/><w:basedOn w:val=\"Standard\"/></w:style><w:style "
      "w:type=\"paragraph\" w:styleId=\"berschrift2\"><w:name w:val=\"heading 2\"/></w:style>"
      "<w:style w:type=\"paragraph\" w:styleId=\"Kapitel\"><w:name w:val=\"Kapitel\"/><w:pPr>"
      "<w:outlineLvl w:val=\"0\"/></w:pPr></w:style><w:style w:type=\"paragraph\" "
      "w:styleId=\"KapitelRot\"><w:name w:val=\"Kapitel rot\"/><w:basedOn w:val=\"Kapitel\"/>"
      "</w:style><w:style w:type=\"paragraph\" w:styleId=\"Titel\"><w:name w:val=\"Title\"/>"
      "</w:style><w:style w:type=\"character\" w:styleId=\"berschrift3\"><w:name "
      "w:val=\"heading 3\"/></w:style></w:styles>";
  const std::string body =
      Paragraph("Jahresbericht 2024", "Titel") + Paragraph("Einleitung ohne Überschrift.") +
      Paragraph("Finanzen", "berschrift1") + Paragraph("Der Umsatz stieg.", "Standard") +
      Paragraph("Kosten", "berschrift2") + Paragraph("Die Kosten sanken.") +
      "<w:p><w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr><w:r><w:t>Direkt formatiert</w:t></w:r>"
      "</w:p>" +
      Paragraph("Text unter direkter Gliederung.") + Paragraph("Ausblick", "KapitelRot") +
      Paragraph("Wir erwarten Wachstum.") + Paragraph("Kein Absatzformat", "Unbekannt") +
      Paragraph("   ", "berschrift1") + Paragraph("Nach leerer Überschrift.");
  auto doc = ParseOffice(MakeDocx(WordDocument(body), {{"word/styles.xml", styles}}), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Jahresbericht 2024");  // the Title style, without core.xml
  EXPECT_EQ(Summaries(*doc),
            (std::vector<BlockSummary>{
                {0, {}, false, "Einleitung ohne Überschrift."},
                {0, {"Finanzen"}, false, "Der Umsatz stieg."},
                {0, {"Finanzen", "Kosten"}, false, "Die Kosten sanken."},
                {0, {"Finanzen", "Direkt formatiert"}, false, "Text unter direkter Gliederung."},
                {0,
                 {"Ausblick"},
                 false,
                 "Wir erwarten Wachstum.\n\nKein Absatzformat\n\nNach leerer Überschrift."},
            }));
}

TEST(OfficeParserTest, WordRevisionsFieldCodesAlternateContentAndTables) {
  const std::string body =
      "<w:p><w:r><w:t xml:space=\"preserve\">Neu </w:t></w:r><w:ins><w:r><w:t>eingefügt</w:t>"
      "</w:r></w:ins><w:del><w:r><w:delText>gelöscht</w:delText></w:r></w:del></w:p>"
      "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText>"
      "</w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>Seite 3</w:t></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
      "<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx>"
      "<w:txbxContent><w:p><w:r><w:t>Im Textfeld</w:t></w:r></w:p></w:txbxContent></wps:txbx>"
      "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>"
      "Im Textfeld</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback>"
      "</mc:AlternateContent></w:r><w:r><w:t>Anker</w:t></w:r></w:p>"
      "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val=\"Table of Contents\"/>"
      "</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Inhaltsverzeichnis</w:t></w:r>"
      "</w:p></w:sdtContent></w:sdt>"
      "<w:p><w:r><w:t>Zeile eins</w:t><w:br/><w:t>Zeile zwei</w:t><w:tab/><w:t>mit Tab</w:t>"
      "</w:r></w:p>"
      "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Name</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc>"
      "<w:tc><w:p><w:r><w:t>Wert</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>A"
      "</w:t></w:r></w:p><w:p><w:r><w:t>zweiter Absatz</w:t></w:r></w:p></w:tc><w:tc><w:tbl>"
      "<w:tr><w:tc><w:p><w:r><w:t>innen</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>x</w:t>"
      "</w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p>"
      "</w:tc></w:tr><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>" +
      Paragraph("Nach der Tabelle.");
  auto doc = ParseOffice(MakeDocx(WordDocument(body)), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(Summaries(*doc),
            (std::vector<BlockSummary>{
                {0,
                 {},
                 false,
                 "Neu eingefügt\n\nSeite 3\n\nAnker\n\nIm Textfeld\n\nZeile eins\nZeile zwei "
                 "mit Tab"},
                {0, {}, true, "Name | Wert\nA zweiter Absatz | innen x | 1"},
                {0, {}, false, "Nach der Tabelle."},
            }));
  EXPECT_EQ(doc->blocks[1].table_header, "Name | Wert");
}

TEST(OfficeParserTest, ExternalEntitiesAndEntityBombsAreNeverExpanded) {
  const std::string xxe = std::string(
                              "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
                              "\"file:///etc/passwd\">]><w:document ") +
                          kWordNs + "><w:body>" + Paragraph("&e;") + "</w:body></w:document>";
  auto doc = ParseOffice(MakeDocx(xxe), {});
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kParse);
  EXPECT_EQ(doc.error().message,
            "XML part word/document.xml declares a DTD, which Office documents never do");

  std::string laughs = "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY l0 \"ha\">";
  for (int i = 1; i <= 10; ++i) {
    laughs += "<!ENTITY l" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) laughs += "&l" + std::to_string(i - 1) + ";";
    laughs += "\">";
  }
  laughs += std::string("]><w:document ") + kWordNs + "><w:body>" + Paragraph("&l10;") +
            "</w:body></w:document>";
  const auto start = std::chrono::steady_clock::now();
  auto bomb = ParseOffice(MakeDocx(laughs), {});
  ASSERT_FALSE(bomb.has_value());
  EXPECT_EQ(bomb.error().code, ErrorCode::kParse);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  // In a secondary part, the DTD costs that part only, with a warning.
  const std::string footnotes = std::string(
                                    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
                                    "\"file:///etc/passwd\">]><w:footnotes ") +
                                kWordNs + "><w:footnote w:id=\"1\">" + Paragraph("&e;") +
                                "</w:footnote></w:footnotes>";
  auto secondary = ParseOffice(
      MakeDocx(WordDocument("<w:p><w:r><w:t>Haupttext</w:t></w:r><w:r><w:footnoteReference "
                            "w:id=\"1\"/></w:r></w:p>"),
               {{"word/footnotes.xml", footnotes}}),
      {});
  ASSERT_TRUE(secondary.has_value()) << secondary.error().ToString();
  ASSERT_EQ(secondary->blocks.size(), 1u);
  EXPECT_EQ(secondary->blocks[0].text, "Haupttext");
  ASSERT_EQ(secondary->warnings.size(), 1u);
  EXPECT_EQ(secondary->warnings[0],
            "XML part word/footnotes.xml declares a DTD, which Office documents never do; the "
            "rest of that part was skipped");
  EXPECT_FALSE(Contains(AllText(*secondary), "root:"));
}

TEST(OfficeParserTest, ZipBombsAreRejected) {
  // 16 MiB of spaces deflate to about 16 KiB: 1000:1.
  std::string huge = WordDocument(Paragraph("Anfang")) + std::string(16 << 20, ' ');
  auto bomb = ParseOffice(MakeDocx(huge), {});
  ASSERT_FALSE(bomb.has_value());
  EXPECT_EQ(bomb.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(bomb.error().message,
            "zip entry 'word/document.xml' is compressed more than 100:1 (a zip bomb)");

  Parts many;
  for (int i = 0; i <= 10000; ++i) many.emplace_back("word/media/" + std::to_string(i), "");
  auto crowded = ParseOffice(MakeDocx(WordDocument(Paragraph("Text")), many), {});
  ASSERT_FALSE(crowded.has_value());
  EXPECT_EQ(crowded.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(crowded.error().message, "zip archive has more than 10000 entries");
}

TEST(OfficeParserTest, MacrosAndEmbeddedObjectsAreNeverRead) {
  // Bombs where macros and embedded objects live: reading any of them would fail the parse.
  const std::string bomb(16 << 20, 'A');
  auto doc = ParseOffice(
      MakeDocx(WordDocument(Paragraph("Sicherer Text")), {{"word/vbaProject.bin", bomb},
                                                          {"word/embeddings/oleObject1.bin", bomb},
                                                          {"word/media/image1.png", bomb}}),
      {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].text, "Sicherer Text");
}

TEST(OfficeParserTest, PasswordProtectedDocumentsAreUnsupported) {
  auto odt = ParseOffice(ReadFixture("handbook_password.odt"), {});
  ASSERT_FALSE(odt.has_value());
  EXPECT_EQ(odt.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(odt.error().message, "password-protected Office document");

  // Office Open XML with a password is a Compound File holding an "EncryptedPackage".
  std::string ole2("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  ole2 += std::string(1024, '\0');
  ole2 += std::string("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
  ole2 += std::string(1024, '\0');
  for (auto result : {ParseOffice(ole2, {}), ParseDocument(ole2, "Gehalt.docx")}) {
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(result.error().message.find("password"), std::string::npos);
  }

  // A zip whose entries are encrypted (zip's own password).
  const std::string encrypted =
      MakeDocx(WordDocument(Paragraph("Geheim")), {}, "word/document.xml");
  auto locked = ParseOffice(encrypted, {});
  ASSERT_FALSE(locked.has_value());
  EXPECT_EQ(locked.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(locked.error().message, "password-protected Office document");
}

TEST(OfficeParserTest, OtherZipsAndBrokenFiles) {
  auto other = ParseOffice(MakeZip({{"readme.txt", "Hallo"}, {"data.csv", "a,b"}}), {});
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(other.error().message, "zip archive that is not an Office document");

  const std::string docx = ReadFixture("handbook.docx");
  auto truncated = ParseOffice(docx.substr(0, docx.size() / 2), {});
  ASSERT_FALSE(truncated.has_value());
  EXPECT_EQ(truncated.error().code, ErrorCode::kParse);

  auto no_main = ParseOffice(MakeZip({{"_rels/.rels",
                                       "<Relationships xmlns=\"http://schemas.openxmlformats.org/"
                                       "package/2006/relationships\"><Relationship Id=\"r\" "
                                       "Type=\"http://schemas.openxmlformats.org/officeDocument/"
                                       "2006/relationships/officeDocument\" "
                                       "Target=\"word/document.xml\"/></Relationships>"}}),
                             {});
  ASSERT_FALSE(no_main.has_value());
  EXPECT_EQ(no_main.error().code, ErrorCode::kParse);
  EXPECT_EQ(no_main.error().message, "Office document without its main part word/document.xml");

  // Malformed XML after some text: the text is kept, with a warning.
  auto cut = ParseOffice(MakeDocx(std::string("<w:document ") + kWordNs + "><w:body>" +
                                  Paragraph("Erster Absatz.") + "<w:p><w:r><w:t>abgebrochen"),
                         {});
  ASSERT_TRUE(cut.has_value()) << cut.error().ToString();
  ASSERT_EQ(cut->blocks.size(), 1u);
  EXPECT_EQ(cut->blocks[0].text, "Erster Absatz.");
  ASSERT_EQ(cut->warnings.size(), 1u);
  EXPECT_TRUE(cut->warnings[0].starts_with("malformed XML in word/document.xml at line 1"))
      << cut->warnings[0];
}

TEST(OfficeParserTest, BadEncodingIsReportedNotPrinted) {
  // libxml2 prints encoding errors to stderr unless told not to; a crawl must stay quiet.
  std::string document = "<?xml version=\"1.0\" encoding=\"EUC-JP\"?><w:document ";
  document += std::string(kWordNs) + "><w:body>" + Paragraph("Gut") +
              Paragraph("\x8e\x8f\x9a\x91") + "</w:body></w:document>";
  testing::internal::CaptureStderr();
  auto doc = ParseOffice(MakeDocx(document), {});
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed, "");
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 1u);
  EXPECT_EQ(doc->blocks[0].text, "Gut");
  ASSERT_EQ(doc->warnings.size(), 1u);
  EXPECT_TRUE(doc->warnings[0].starts_with("malformed XML in word/document.xml"))
      << doc->warnings[0];
}

// ---- spreadsheets and slides built here ------------------------------------------------------

constexpr char kSheetNs[] =
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

std::string MakeXlsx(std::string_view workbook_pr, std::string_view sheet_data,
                     std::string_view shared_strings, std::string_view styles) {
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
  return MakeZip(
      {{"_rels/.rels",
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" +
            rel + "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
       {"xl/workbook.xml", std::string("<workbook ") + kSheetNs + ">" + std::string(workbook_pr) +
                               "<sheets><sheet name=\"Daten\" sheetId=\"1\" r:id=\"rId1\"/>"
                               "<sheet name=\"Diagramm\" sheetId=\"2\" r:id=\"rId2\"/></sheets>"
                               "</workbook>"},
       {"xl/_rels/workbook.xml.rels",
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" +
            rel +
            "worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" +
            rel +
            "chartsheet\" Target=\"chartsheets/sheet1.xml\"/><Relationship Id=\"rId3\" Type=\"" +
            rel +
            "sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship Id=\"rId4\" Type=\"" +
            rel + "styles\" Target=\"/xl/styles.xml\"/></Relationships>"},
       {"xl/worksheets/sheet1.xml", std::string("<worksheet ") + kSheetNs +
                                        "><cols><col min=\"1\" max=\"3\"/></cols><sheetData>" +
                                        std::string(sheet_data) + "</sheetData></worksheet>"},
       {"xl/chartsheets/sheet1.xml", "<chartsheet/>"},
       {"xl/sharedStrings.xml",
        std::string("<sst ") + kSheetNs + ">" + std::string(shared_strings) + "</sst>"},
       {"xl/styles.xml",
        std::string("<styleSheet ") + kSheetNs + ">" + std::string(styles) + "</styleSheet>"}});
}

TEST(OfficeParserTest, ExcelCellTypesAndNumberFormats) {
  const std::string shared =
      "<si><t>Artikel</t></si><si><r><t xml:space=\"preserve\">Preis </t></r><r><t>(netto)</t>"
      "</r></si><si><t>Schraube</t><rPh sb=\"0\" eb=\"1\"><t>phonetisch</t></rPh></si>";
  const std::string styles =
      "<numFmts><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/><numFmt numFmtId=\"165\" "
      "formatCode=\"0.0&quot;kg&quot;\"/><numFmt numFmtId=\"166\" formatCode=\"General\"/>"
      "</numFmts><cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs><xf numFmtId=\"0\"/>"
      "<xf numFmtId=\"164\"/><xf numFmtId=\"10\"/><xf numFmtId=\"165\"/><xf numFmtId=\"20\"/>"
      "<xf numFmtId=\"22\"/><xf numFmtId=\"166\"/></cellXfs>";
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" "
      "t=\"inlineStr\"><is><t>Datum</t></is></c><c t=\"inlineStr\"><is><t>Anteil</t></is></c>"
      "<c t=\"inlineStr\"><is><r><t>Gewicht</t></r></is></c><c t=\"inlineStr\"><is><t>Uhrzeit"
      "</t></is></c></row>"
      "<row r=\"2\"><c t=\"s\"><v>2</v></c><c s=\"6\"><v>0.30000000000000004</v></c><c s=\"1\">"
      "<v>45306</v></c><c s=\"2\"><v>0.125</v></c><c s=\"3\"><v>2.5</v></c><c s=\"4\"><v>0.5</v>"
      "</c></row>"
      "<row r=\"3\"><c t=\"b\"><v>1</v></c><c><f>SUM(B2:B3)</f></c><c t=\"e\"><v>#DIV/0!</v></c>"
      "<c t=\"str\"><f>IF(A1,\"OK\")</f><v>OK</v></c><c s=\"5\"><v>45306.75</v></c><c t=\"s\">"
      "<v>99</v></c></row>"
      "<row r=\"5\"><c/><c t=\"s\"><v>-1</v></c></row>";
  auto doc = ParseOffice(MakeXlsx("", rows, shared, styles), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  // The chart sheet holds no cells; a formula without a cached value, an error and a shared
  // string index out of range are empty cells.
  EXPECT_EQ(Summaries(*doc),
            (std::vector<BlockSummary>{
                {0,
                 {"Daten"},
                 true,
                 "Artikel | Preis (netto) | Datum | Anteil | Gewicht | Uhrzeit\nSchraube | 0.3 | "
                 "2024-01-15 | 12.5% | 2.5 | 12:00\nTRUE | OK | 2024-01-15 18:00"},
            }));
  EXPECT_EQ(doc->blocks[0].table_header,
            "Artikel | Preis (netto) | Datum | Anteil | Gewicht | Uhrzeit");

  auto mac = ParseOffice(
      MakeXlsx("<workbookPr date1904=\"1\"/>",
               "<row><c s=\"1\"><v>0</v></c><c s=\"1\"><v>44000</v></c></row>", "", styles),
      {});
  ASSERT_TRUE(mac.has_value()) << mac.error().ToString();
  ASSERT_EQ(mac->blocks.size(), 1u);
  EXPECT_EQ(mac->blocks[0].text, "1904-01-01 | 2024-06-19");
}

std::string MakeOds(std::string_view tables) {
  return MakeZip({{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
                  {"content.xml",
                   "<office:document-content "
                   "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
                   "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "
                   "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body>"
                   "<office:spreadsheet>" +
                       std::string(tables) +
                       "</office:spreadsheet></office:body></office:document-content>"}});
}

TEST(OfficeParserTest, OpenDocumentRepeatsAreNotMaterialized) {
  const std::string table =
      "<table:table table:name=\"Groß\"><table:table-column "
      "table:number-columns-repeated=\"16384\"/>"
      "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Kopf</text:p>"
      "</table:table-cell><table:table-cell table:number-columns-repeated=\"16383\"/>"
      "</table:table-row>"
      "<table:table-row><table:table-cell><text:p>Formel</text:p></table:table-cell>"
      "<table:table-cell office:value-type=\"float\" office:value=\"42\"/><table:table-cell "
      "office:value-type=\"boolean\" office:boolean-value=\"true\"/></table:table-row>"
      "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell "
      "table:number-columns-repeated=\"16384\"/></table:table-row>"
      "<table:table-row table:number-rows-repeated=\"100000\"><table:table-cell "
      "office:value-type=\"float\" office:value=\"7\" table:number-columns-repeated=\"3\">"
      "<text:p>7</text:p></table:table-cell></table:table-row>"
      "<table:table-row table:number-rows-repeated=\"4000000000\"><table:table-cell "
      "table:number-columns-repeated=\"4000000000\"/></table:table-row></table:table>";
  const auto start = std::chrono::steady_clock::now();
  auto doc = ParseOffice(MakeOds(table), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_EQ(doc->blocks.size(), 1u);
  const Block& block = doc->blocks[0];
  EXPECT_EQ(block.heading_path, Path{"Groß"});
  EXPECT_EQ(block.table_header, "Kopf");
  EXPECT_TRUE(block.text.starts_with("Kopf\nFormel | 42 | true\n7 | 7 | 7\n7 | 7 | 7\n"));
  EXPECT_EQ(std::count(block.text.begin(), block.text.end(), '\n'), 100001);
  EXPECT_TRUE(doc->warnings.empty());

  // Cells beyond the document's limit are dropped with a warning.
  auto huge = ParseOffice(MakeOds("<table:table table:name=\"Viel\"><table:table-row "
                                  "table:number-rows-repeated=\"3000000\"><table:table-cell>"
                                  "<text:p>x</text:p></table:table-cell></table:table-row>"
                                  "</table:table>"),
                          {});
  ASSERT_TRUE(huge.has_value()) << huge.error().ToString();
  ASSERT_EQ(huge->blocks.size(), 1u);
  EXPECT_EQ(std::count(huge->blocks[0].text.begin(), huge->blocks[0].text.end(), '\n'),
            2'000'000 - 1);
  EXPECT_EQ(huge->warnings,
            std::vector<std::string>{"only the first 2000000 table cells were read"});
}

TEST(OfficeParserTest, PowerPointFootersAndSlideNumbersAreNotText) {
  const std::string p = "http://schemas.openxmlformats.org/presentationml/2006/main";
  const std::string a = "http://schemas.openxmlformats.org/drawingml/2006/main";
  const std::string r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  const std::string rel = r + "/";
  const auto shape = [](std::string_view placeholder, std::string_view text) {
    std::string sp = "<p:sp><p:nvSpPr><p:cNvPr id=\"1\" name=\"s\"/><p:cNvSpPr/><p:nvPr>";
    if (!placeholder.empty()) sp += "<p:ph type=\"" + std::string(placeholder) + "\"/>";
    return sp + "</p:nvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>" + std::string(text) +
           "</a:t></a:r></a:p></p:txBody></p:sp>";
  };
  const std::string slide =
      "<p:sld xmlns:p=\"" + p + "\" xmlns:a=\"" + a + "\"><p:cSld><p:spTree>" +
      shape("", "Erster Punkt") + shape("ftr", "Vertraulich") + shape("sldNum", "7") +
      shape("dt", "01.01.2025") + shape("title", "Roadmap") + "</p:spTree></p:cSld></p:sld>";
  auto doc = ParseOffice(
      MakeZip({{"_rels/.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                "relationships\"><Relationship Id=\"rId1\" Type=\"" +
                    rel + "officeDocument\" Target=\"ppt/presentation.xml\"/></Relationships>"},
               {"ppt/presentation.xml", "<p:presentation xmlns:p=\"" + p + "\" xmlns:r=\"" + r +
                                            "\"><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId2\"/>"
                                            "</p:sldIdLst></p:presentation>"},
               {"ppt/_rels/presentation.xml.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                "relationships\"><Relationship Id=\"rId2\" Type=\"" +
                    rel + "slide\" Target=\"slides/slide1.xml\"/></Relationships>"},
               {"ppt/slides/slide1.xml", slide}}),
      {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  // The title shape comes last in the shape tree and still names the slide.
  EXPECT_EQ(Summaries(*doc), (std::vector<BlockSummary>{{1, {"Roadmap"}, false, "Erster Punkt"}}));
  EXPECT_EQ(doc->title, "Roadmap");
}

}  // namespace
}  // namespace wissen::crawler
