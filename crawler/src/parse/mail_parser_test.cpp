#include "mail_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "parser_test_util.h"
#include "parser_text.h"
#include "wissen/core/text.h"
#include "wissen/crawler/parsers.h"

namespace wissen::crawler {
namespace {

using test_util::AllText;
using test_util::Contains;
using test_util::FindBlock;

using Path = std::vector<std::string>;

std::string ReadFixture(const std::string& name) { return test_util::ReadFixture("mail", name); }

std::string Metadata(const ParsedDocument& doc, std::string_view key) {
  for (const auto& [k, v] : doc.metadata) {
    if (k == key) return v;
  }
  return "<none>";
}

void ExpectWellFormed(const ParsedDocument& doc) {
  EXPECT_TRUE(IsValidUtf8(doc.title));
  EXPECT_TRUE(IsValidUtf8(doc.author));
  for (const auto& [key, value] : doc.metadata) EXPECT_TRUE(IsValidUtf8(value)) << key;
  for (const std::string& warning : doc.warnings) EXPECT_TRUE(IsValidUtf8(warning));
  for (const Block& block : doc.blocks) {
    EXPECT_FALSE(TrimAscii(block.text).empty());
    EXPECT_TRUE(IsValidUtf8(block.text));
    for (const std::string& heading : block.heading_path) {
      EXPECT_FALSE(heading.empty());
      EXPECT_TRUE(IsValidUtf8(heading));
    }
  }
}

// A message around `body` (text/plain, UTF-8).
std::string PlainMessage(std::string_view subject, std::string_view body) {
  return "From: Anna <anna@example.com>\nTo: bernd@example.com\nSubject: " + std::string(subject) +
         "\nDate: Mon, 04 Mar 2024 10:15:00 +0100\nMIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=utf-8\n\n" +
         std::string(body);
}

std::string BodyText(std::string_view subject, std::string_view body) {
  auto doc = ParseEmail(PlainMessage(subject, body), {});
  EXPECT_TRUE(doc.has_value()) << doc.error().ToString();
  if (!doc || doc->blocks.size() < 2) return "<no body>";
  return doc->blocks[1].text;
}

// ---- headers and body -----------------------------------------------------------------------

TEST(MailParserTest, HeadersGiveTitleAuthorAndMetadata) {
  auto doc = ParseEmail(ReadFixture("reply_qp.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ExpectWellFormed(*doc);
  EXPECT_EQ(doc->mime, "message/rfc822");
  // Two encoded words in UTF-8 and Latin-1, joined without the folding white space.
  EXPECT_EQ(doc->title, "Re: Übergabe der Prüfberichte für März");
  EXPECT_EQ(doc->author, "Anna Müller <anna.mueller@example.com>");
  EXPECT_EQ(doc->metadata, (std::vector<std::pair<std::string, std::string>>{
                               {"from", "Anna Müller <anna.mueller@example.com>"},
                               {"to",
                                "Bernd Schulz <bernd.schulz@example.com>, \"Weber, Carla\" "
                                "<carla.weber@example.com>"},
                               {"cc", "Dora Klein <dora.klein@example.com>"},
                               {"date", "2024-03-04T10:15:00+01:00"},
                           }));
  EXPECT_TRUE(doc->warnings.empty());
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[0].text,
            "Anna Müller → Bernd Schulz, \"Weber, Carla\"; Cc: Dora Klein · 2024-03-04 10:15 "
            "+01:00");
  EXPECT_TRUE(doc->blocks[0].heading_path.empty());
}

TEST(MailParserTest, QuotedPrintableLatin1BodyIsDecodedAndTheQuoteCollapsed) {
  auto doc = ParseEmail(ReadFixture("reply_qp.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 2u);
  const std::string& body = doc->blocks[1].text;
  EXPECT_TRUE(doc->blocks[1].heading_path.empty());
  // Soft line breaks joined, Latin-1 decoded.
  EXPECT_TRUE(Contains(body,
                       "Die Übergabe an den Kunden erfolgt am Freitag um 14 Uhr im großen "
                       "Besprechungsraum."))
      << body;
  // The attribution line and the quote are one "[…]"; the greeting after it stays.
  EXPECT_FALSE(Contains(body, "Kirschblüte"));
  EXPECT_FALSE(Contains(body, "schrieb"));
  EXPECT_TRUE(Contains(body, "Besprechungsraum.\n\n[…]\n\nViele Grüße\nAnna")) << body;
}

TEST(MailParserTest, OutlookHistoryBelowTheReplyCollapses) {
  auto doc = ParseEmail(ReadFixture("outlook_history.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->author, "\"Weber, Carla\" <carla.weber@example.com>");
  EXPECT_EQ(doc->blocks[1].text,
            "Hallo Team,\n\nanbei die Zahlen für das zweite Quartal: Umsatz 4,2 Mio. "
            "Euro.\n\nGruß\nCarla\n\n[…]");
}

TEST(MailParserTest, HtmlOnlyBodyGoesThroughTheHtmlParser) {
  auto doc = ParseEmail(ReadFixture("html_only.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ExpectWellFormed(*doc);
  EXPECT_EQ(doc->title, "Betriebsausflug");
  const Block* body = FindBlock(*doc, "Der Betriebsausflug führt dieses Jahr an den Bodensee.");
  ASSERT_NE(body, nullptr) << AllText(*doc);
  EXPECT_EQ(body->heading_path, Path{"Betriebsausflug 2024"});
  EXPECT_TRUE(Contains(body->text, "Der Eigenanteil beträgt 20 €"));  // windows-1252
  const std::string all = AllText(*doc);
  EXPECT_FALSE(Contains(all, "color"));       // <style>
  EXPECT_FALSE(Contains(all, "Geheimtipp"));  // the quoted mail
  EXPECT_FALSE(Contains(all, "wrote:"));      // and its attribution
  EXPECT_TRUE(Contains(all, "Mai.\n\n[…]")) << all;
}

TEST(MailParserTest, AlternativePrefersPlainTextAndJoinsFlowedLines) {
  auto doc = ParseEmail(ReadFixture("alternative.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ExpectWellFormed(*doc);
  EXPECT_EQ(doc->title, "Server migration");
  EXPECT_EQ(doc->author, "IT Operations <it-ops@example.com>");
  EXPECT_EQ(Metadata(*doc, "to"), "staff@example.com");
  EXPECT_EQ(Metadata(*doc, "date"), "2024-03-07T09:30:00+00:00");
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[0].text, "IT Operations → staff@example.com · 2024-03-07 09:30 +00:00");
  EXPECT_EQ(doc->blocks[1].text,
            "The plain text part wins: the server migration starts on Saturday at 6 am.\n\n"
            "Please log off by Friday evening.");
  EXPECT_FALSE(Contains(AllText(*doc), "must not appear"));
  EXPECT_FALSE(Contains(AllText(*doc), "multi-part message"));  // the preamble
}

TEST(MailParserTest, AlternativeWithBlankPlainVersionUsesHtml) {
  const std::string message =
      "From: a@example.com\nSubject: Blank plain\nMIME-Version: 1.0\n"
      "Content-Type: multipart/alternative; boundary=b\n\n"
      "--b\nContent-Type: text/plain\n\n  \n"
      "--b\nContent-Type: text/html\n\n<p>Only the HTML version has words.</p>\n--b--\n";
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[1].text, "Only the HTML version has words.");
}

// ---- attachments ----------------------------------------------------------------------------

TEST(MailParserTest, PdfAttachmentFollowsTheBodyUnderItsFileName) {
  auto doc = ParseEmail(ReadFixture("pdf_attachment.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ExpectWellFormed(*doc);
  EXPECT_TRUE(doc->warnings.empty()) << doc->warnings[0];
  EXPECT_EQ(doc->page_count, 0);
  ASSERT_GE(doc->blocks.size(), 4u);
  EXPECT_EQ(doc->blocks[1].text, "Anbei das neue Mitarbeiterhandbuch als PDF.");
  EXPECT_TRUE(doc->blocks[1].heading_path.empty());
  // The RFC 2231 file name, then the PDF's own headings; pages are kept.
  const Block* vacation = FindBlock(*doc, "Der Anspruch beträgt 30 Arbeitstage");
  ASSERT_NE(vacation, nullptr) << AllText(*doc);
  EXPECT_EQ(vacation->heading_path,
            (Path{"Handbuch München.pdf", "1. Urlaub", "1.1. Urlaubsanspruch"}));
  EXPECT_EQ(vacation->page, 1);
  const Block* receipts = FindBlock(*doc, "Belege sind binnen vier Wochen");
  ASSERT_NE(receipts, nullptr);
  EXPECT_EQ(receipts->heading_path, (Path{"Handbuch München.pdf", "3. Reisekosten"}));
  EXPECT_EQ(receipts->page, 4);
  for (size_t i = 2; i < doc->blocks.size(); ++i) {
    EXPECT_EQ(doc->blocks[i].heading_path.at(0), "Handbuch München.pdf");
  }
}

TEST(MailParserTest, UnsupportedAttachmentIsAWarningAndTheMessageStays) {
  auto doc = ParseEmail(ReadFixture("binary_attachment.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->warnings,
            std::vector<std::string>{"attachment \"setup.exe\": binary or unknown file type"});
  ASSERT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(doc->blocks[1].text, "Bitte das Installationsprogramm im Anhang ausfuehren.");
}

TEST(MailParserTest, AttachedMessageIsReadWithItsOwnAttachment) {
  auto doc = ParseEmail(ReadFixture("forwarded_rfc822.eml"), {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ExpectWellFormed(*doc);
  EXPECT_TRUE(doc->warnings.empty()) << doc->warnings[0];
  EXPECT_EQ(doc->title, "Fwd: Angebot Serverwartung 2024");
  std::vector<std::pair<Path, std::string>> blocks;
  for (const Block& block : doc->blocks) blocks.emplace_back(block.heading_path, block.text);
  const Path offer{"Angebot Serverwartung 2024"};
  EXPECT_EQ(blocks, (std::vector<std::pair<Path, std::string>>{
                        {{}, "Bernd Schulz → Anna Mueller · 2024-03-11 08:45 +01:00"},
                        {{}, "Zur Info, siehe das Angebot im Anhang."},
                        {offer, "Eva Vertrieb → Bernd Schulz · 2024-03-08 17:20 +01:00"},
                        {offer, "Wir bieten die Wartung von 12 Servern zu 18.000 Euro im Jahr an."},
                        {{"Angebot Serverwartung 2024", "preisliste.txt"},
                         "Position 1: Wartung pro Server 1.500 Euro."},
                    }));
}

TEST(MailParserTest, TransferEncodedAttachedMessageIsReadToo) {
  // GMime does not parse a base64 message/rfc822 part; it is read as a message all the same.
  const std::string message =
      "From: a@example.com\nSubject: Outer\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nOuter.\n"
      "--m\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
      "RnJvbTogRXZhIDxldmFAZXhhbXBsZS5jb20+ClN1YmplY3Q6IElubmVuCgpJbm5lcmVyIFRleHQuCg==\n"
      "--m\nContent-Type: text/calendar\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n--m--\n";
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  std::vector<std::pair<Path, std::string>> blocks;
  for (const Block& block : doc->blocks) blocks.emplace_back(block.heading_path, block.text);
  EXPECT_EQ(blocks, (std::vector<std::pair<Path, std::string>>{
                        {{}, "a@example.com"},
                        {{}, "Outer."},
                        {{"Innen"}, "Eva"},
                        {{"Innen"}, "Innerer Text."},
                    }));
  EXPECT_TRUE(doc->warnings.empty());
}

TEST(MailParserTest, DepthLimitSkipsDeeperAttachmentsWithAWarning) {
  ParseOptions options;
  options.max_depth = 1;  // the attached message, but not its attachment
  auto doc = ParseEmail(ReadFixture("forwarded_rfc822.eml"), options);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_NE(FindBlock(*doc, "Wartung von 12 Servern"), nullptr);
  EXPECT_EQ(FindBlock(*doc, "Wartung pro Server"), nullptr);
  EXPECT_EQ(doc->warnings,
            std::vector<std::string>{"attachment \"Angebot Serverwartung 2024\" › attachment "
                                     "\"preisliste.txt\": nested deeper than max_depth, skipped"});

  options.max_depth = 0;  // no attachment at all
  doc = ParseEmail(ReadFixture("forwarded_rfc822.eml"), options);
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->blocks.size(), 2u);
  EXPECT_EQ(FindBlock(*doc, "Wartung von 12 Servern"), nullptr);
  EXPECT_EQ(
      doc->warnings,
      std::vector<std::string>{
          "attachment \"Angebot Serverwartung 2024\": nested deeper than max_depth, skipped"});
}

TEST(MailParserTest, PartsBeyondTheLimitAreSkippedWithAWarning) {
  std::string message =
      "From: a@example.com\nSubject: Many parts\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=p\n\n";
  for (int i = 1; i <= 150; ++i) {
    message += "--p\nContent-Type: text/plain\n\nPart number " + std::to_string(i) + " here.\n";
  }
  message += "--p--\n";
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  const std::string all = AllText(*doc);
  // The multipart itself is part 1, so text parts 1 to 99 are read.
  EXPECT_TRUE(Contains(all, "Part number 99 here.")) << all;
  EXPECT_FALSE(Contains(all, "Part number 100 here."));
  EXPECT_EQ(doc->warnings,
            std::vector<std::string>{"more than 100 MIME parts; the remaining parts were skipped"});
}

TEST(MailParserTest, DeeplyNestedMultipartsAreCutWithAWarning) {
  std::string message = "From: a@example.com\nSubject: Nested\nMIME-Version: 1.0\n";
  for (int i = 0; i < 60; ++i) {
    message += "Content-Type: multipart/mixed; boundary=n" + std::to_string(i) + "\n\n--n" +
               std::to_string(i) + "\n";
  }
  message += "Content-Type: text/plain\n\nDeep down.\n";
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(FindBlock(*doc, "Deep down."), nullptr);
  EXPECT_EQ(doc->warnings,
            std::vector<std::string>{"MIME parts nested deeper than 32 levels were skipped"});
}

TEST(MailParserTest, GmimeGetsBoundedBoundaryLinesAndHeaderText) {
  // Body text is free; the header block of an attached message counts.
  const std::string start =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: "
      "text/plain\n\n" +
      std::string(2u << 20, 'x') + "\n--b\nContent-Type: message/rfc822\n\nSubject: Inner\n";
  const std::string filler = "X-Filler: " + std::string(kMaxHeaderBytes, 'y') + "\n";
  // Views into the input: every input lives in a variable.
  const std::string too_long = start + filler + "\nBody.\n";
  MessageInput input = PrepareMessageInput(too_long);
  EXPECT_TRUE(input.is_message);
  EXPECT_TRUE(input.text() == start);
  EXPECT_EQ(input.warning, "header fields longer than 1 MiB; the rest of the message was skipped");

  const std::string fits = start + "\nBody.\n";
  input = PrepareMessageInput(fits);
  EXPECT_EQ(input.text().size(), fits.size());
  EXPECT_EQ(input.warning, "");

  std::string boundaries = "Subject: x\n\n";
  for (size_t i = 0; i < kMaxBoundaryLines; ++i) boundaries += "--b\n";
  const std::string too_many = boundaries + "--b\nlast\n";
  input = PrepareMessageInput(too_many);
  EXPECT_TRUE(input.text() == boundaries);
  EXPECT_EQ(input.warning,
            "more than 10000 MIME boundary lines; the rest of the message was skipped");

  // The envelope line and a BOM go; what follows must be a header field.
  const std::string envelope =
      "\xEF\xBB\xBF"
      "From a@b Mon Mar  4 10:15:00 2024\nSubject: y\n";
  EXPECT_EQ(PrepareMessageInput(envelope).text(), "Subject: y\n");
  EXPECT_FALSE(PrepareMessageInput("Subject y\n").is_message);
}

TEST(MailParserTest, UnknownCharsetNamesInHeadersAreReplacedBeforeGmime) {
  const std::string message =
      "Subject: =?x-bogus-42?Q?Gr=FC=DFe?= =?utf-8*de?Q?=C3=BC?= =?UTF-8?B?w7w=?=\n"
      "Content-Type: text/plain; name*=x-made-up'en'a%20b; title*0*=utf-8''%C3%BC\n\nBody.\n";
  const MessageInput input = PrepareMessageInput(message);
  EXPECT_TRUE(input.was_rewritten);
  EXPECT_EQ(input.text(),
            "Subject: =?windows-1252?Q?Gr=FC=DFe?= =?utf-8?Q?=C3=BC?= =?UTF-8?B?w7w=?=\n"
            "Content-Type: text/plain; name*=windows-1252'en'a%20b; title*0*=utf-8''%C3%BC\n\n"
            "Body.\n");
  // The body is no header text; known names leave the input as it is.
  EXPECT_FALSE(PrepareMessageInput("Subject: =?utf-8?Q?x?=\n\n=?x-bogus?Q?y?=\n").was_rewritten);
  // Encoded words next to each other join without the space between them.
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Grüßeüü");
}

TEST(MailParserTest, HeaderBombKeepsTheMessageWithAWarning) {
  std::string message = "From: a@example.com\n";
  while (message.size() < 2 * kMaxHeaderBytes) message += "X-A: b\n";
  message += "Subject: Late\n\nBody.\n";
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->author, "a@example.com");
  EXPECT_EQ(doc->title, "");
  EXPECT_EQ(doc->warnings,
            std::vector<std::string>{
                "header fields longer than 1 MiB; the rest of the message was skipped"});
}

// ---- quotes ---------------------------------------------------------------------------------

TEST(MailParserTest, QuoteRulesCollapseRepliesButKeepInlineAnswers) {
  // Inline answers between quotes; Gmail's wrapped attribution.
  EXPECT_EQ(BodyText("Re: Plan",
                     "On Mon, Mar 4, 2024 at 10:15 AM Bernd Schulz <\nbernd@example.com> "
                     "wrote:\n> Question one?\n\nAnswer one.\n\n> Question two?\n> More.\n"
                     "Answer two.\n"),
            "[…]\n\nAnswer one.\n\n[…]\nAnswer two.");
  // An attribution without date only goes with a quote; a dated one without quote is history.
  EXPECT_EQ(BodyText("Re: Plan", "Goethe wrote:\nDie Welt ist groß.\n"),
            "Goethe wrote:\nDie Welt ist groß.");
  EXPECT_EQ(BodyText("Re: Plan", "Agreed.\n\nOn 04.03.2024 Bernd wrote:\nOld text.\n"),
            "Agreed.\n\n[…]");
  EXPECT_EQ(BodyText("Re: Plan",
                     "Fine.\n\n-----Original Message-----\nFrom: Bernd\nSent: Monday\n\nOld.\n"),
            "Fine.\n\n[…]");
  EXPECT_EQ(BodyText("AW: Plan", "Gut.\n\n*Von:* Bernd\n*Gesendet:* Montag\n\nAlt.\n"),
            "Gut.\n\n[…]");
  // Adjacent collapsed parts merge.
  EXPECT_EQ(BodyText("Re: Plan", "Yes.\n> a\n\nAm 1.3.2024 schrieb B:\n> b\n"), "Yes.\n[…]");
  EXPECT_EQ(
      BodyText("Re: Plan", "Yes.\n> a\n\nOn Mon, 4 Mar 2024, B <\nb@example.com> wrote:\n> b\n"),
      "Yes.\n[…]");
}

TEST(MailParserTest, ForwardedHistoryIsContent) {
  EXPECT_EQ(BodyText("Fwd: Plan",
                     "FYI\n\n-----Original Message-----\nFrom: Bernd\nSent: "
                     "Monday\n\nThe plan is ready.\n"),
            "FYI\n\n-----Original Message-----\nFrom: Bernd\nSent: Monday\n\nThe plan is ready.");
}

TEST(MailParserTest, MboxEscapedFromLineIsTextNotAQuote) {
  EXPECT_EQ(BodyText("Plan", "Start.\n>From here on we meet in room 4.\nEnd.\n"),
            "Start.\nFrom here on we meet in room 4.\nEnd.");
}

TEST(MailParserTest, UnflowJoinsSoftBreaksOfTheSameQuoteDepth) {
  EXPECT_EQ(UnflowText("a \r\nb\r\n> c \r\n> d\r\n-- \r\nsig", false), "a b\n> c d\n-- \nsig");
  EXPECT_EQ(UnflowText("wo \nrd\n", true), "word\n");
  EXPECT_EQ(UnflowText("x \n> y\n", false), "x \n> y\n");  // depth changes: no join
}

// ---- limits and garbage ---------------------------------------------------------------------

TEST(MailParserTest, GarbageIsAParseError) {
  for (const std::string& garbage :
       {std::string(), std::string("hello world\nthis is not mail\n"),
        std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), std::string(": no name\n\nbody"),
        std::string("From nobody\n"), std::string(200, '\0')}) {
    auto doc = ParseEmail(garbage, {});
    ASSERT_FALSE(doc.has_value()) << garbage;
    EXPECT_EQ(doc.error().code, ErrorCode::kParse);
  }
}

TEST(MailParserTest, BrokenMimeStillGivesValidText) {
  const std::string message =
      "From: =?x-unknown?B?////?= <a@example.com>\nSubject: =?utf-8?B?/w==?= \xFF\xFE\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\n"
      "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
      "w7xiZXI=\xFF\n--x\nContent-Type: text/plain; charset=klingon\n\nGr\xFC\xDF"
      "e\n";  // no closing boundary
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  ExpectWellFormed(*doc);
  const std::string all = AllText(*doc);
  EXPECT_TRUE(Contains(all, "über")) << all;
  EXPECT_TRUE(Contains(all, "Grüße")) << all;  // unknown charset: windows-1252
}

TEST(MailParserTest, HugeHtmlBodyIsCutWithAWarning) {
  std::string message =
      "From: a@example.com\nSubject: Huge\nContent-Type: text/html\n\n<p>Start of the page ";
  message.append(9u << 20, 'x');
  message += " end of the page</p>\n";
  auto doc = ParseEmail(message, {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  const std::string all = AllText(*doc);
  EXPECT_TRUE(Contains(all, "Start of the page"));
  EXPECT_FALSE(Contains(all, "end of the page"));
  EXPECT_LT(doc->blocks.back().text.size(), 8u << 20);
  EXPECT_EQ(doc->warnings,
            std::vector<std::string>{"HTML body longer than 8 MiB; the rest was skipped"});
}

TEST(MailParserTest, OversizedMessageIsResourceExhausted) {
  std::string message = PlainMessage("Big", "");
  message.resize(kMaxMessageBytes + 1, 'a');
  auto doc = ParseEmail(message, {});
  ASSERT_FALSE(doc.has_value());
  EXPECT_EQ(doc.error().code, ErrorCode::kResourceExhausted);
}

TEST(MailParserTest, MessageWithoutTextHasNoBlocks) {
  auto doc = ParseEmail("Subject: Nothing\n\n\n", {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Nothing");
  EXPECT_TRUE(doc->blocks.empty());
  EXPECT_TRUE(doc->metadata.empty());
}

TEST(MailParserTest, EnvelopeLineBeforeTheHeaderIsSkipped) {
  auto doc = ParseEmail(
      "From anna@example.com Mon Mar  4 10:15:00 2024\n" + PlainMessage("Envelope", "Body text."),
      {});
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  EXPECT_EQ(doc->title, "Envelope");
  EXPECT_EQ(doc->blocks.back().text, "Body text.");
}

TEST(MailParserTest, ParseDocumentDetectsTheFixtures) {
  for (const char* name :
       {"reply_qp.eml", "outlook_history.eml", "html_only.eml", "alternative.eml",
        "pdf_attachment.eml", "forwarded_rfc822.eml", "binary_attachment.eml"}) {
    const std::string bytes = ReadFixture(name);
    EXPECT_EQ(DetectContentKind(bytes, name), ContentKind::kEmail) << name;
    EXPECT_EQ(DetectContentKind(bytes, "message.txt"), ContentKind::kEmail) << name;
    auto doc = ParseDocument(bytes, name);
    ASSERT_TRUE(doc.has_value()) << name << ": " << doc.error().ToString();
    EXPECT_EQ(doc->mime, "message/rfc822");
  }
  auto doc = ParseDocument(ReadFixture("reply_qp.eml"), "reply_qp.eml");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->language, "de");
  EXPECT_EQ(DetectContentKind(ReadFixture("three.mbox"), "three.mbox"), ContentKind::kMbox);
}

TEST(MailParserTest, ParsesOnManyThreadsAtOnce) {
  std::vector<std::string> messages;
  std::vector<std::string> expected;
  for (const char* name : {"reply_qp.eml", "html_only.eml", "forwarded_rfc822.eml",
                           "alternative.eml", "binary_attachment.eml"}) {
    messages.push_back(ReadFixture(name));
    auto doc = ParseEmail(messages.back(), {});
    ASSERT_TRUE(doc.has_value());
    expected.push_back(doc->title + "\n" + AllText(*doc));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round) {
        for (size_t i = 0; i < messages.size(); ++i) {
          auto doc = ParseEmail(messages[i], {});
          if (!doc || doc->title + "\n" + AllText(*doc) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// ---- mbox -----------------------------------------------------------------------------------

std::vector<std::string> Subjects(const std::vector<std::string_view>& messages) {
  std::vector<std::string> subjects;
  for (std::string_view message : messages) {
    auto doc = ParseEmail(message, {});
    subjects.push_back(doc ? doc->title : "<" + doc.error().message + ">");
  }
  return subjects;
}

TEST(MboxTest, SplitsThreeMessagesWithoutTheSeparatorLines) {
  const std::string mbox = ReadFixture("three.mbox");
  const std::vector<std::string_view> messages = SplitMbox(mbox);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(Subjects(messages),
            (std::vector<std::string>{"Erste Nachricht", "Zweite Nachricht", "Dritte Nachricht"}));
  for (std::string_view message : messages) {
    EXPECT_TRUE(message.starts_with("From: ")) << message;
    EXPECT_FALSE(message.ends_with("\n"));
  }
  // The unescaped body line "From the office ..." did not start a message.
  EXPECT_TRUE(messages[0].ends_with("From the office we send 3 parcels today."));
  // The escaped line stays in the second message and reads unescaped.
  auto second = ParseEmail(messages[1], {});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->blocks.back().text,
            "Die zweite Nachricht verschiebt das Treffen.\n"
            "From here on the meeting moves to room 4.");
  EXPECT_EQ(SplitMbox(mbox, 2).size(), 2u);
  EXPECT_EQ(SplitMbox(mbox, 0).size(), 0u);
}

TEST(MboxTest, CrlfLineEndsSplitTheSame) {
  std::string mbox;
  for (char c : ReadFixture("three.mbox")) {
    if (c == '\n') mbox += '\r';
    mbox += c;
  }
  const std::vector<std::string_view> messages = SplitMbox(mbox);
  EXPECT_EQ(Subjects(messages),
            (std::vector<std::string>{"Erste Nachricht", "Zweite Nachricht", "Dritte Nachricht"}));
  for (std::string_view message : messages) EXPECT_FALSE(message.ends_with("\r"));
}

TEST(MboxTest, SeparatorWithoutBlankLineBeforeItNeedsAnEnvelopeAndHeaders) {
  const std::string mbox =
      "From a@example.com Mon Mar  4 10:15:00 2024\nSubject: One\n\nText one.\n"
      "From b@example.com Tue Mar  5 10:15:00 2024\nSubject: Two\n\nText two.\n"
      "From my side:\nSubject: not a header block, this is a body line\n";
  const std::vector<std::string_view> messages = SplitMbox(mbox);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], "Subject: One\n\nText one.");
  EXPECT_TRUE(messages[1].ends_with("this is a body line"));
}

TEST(MboxTest, TextBeforeTheFirstSeparatorIsAMessageAndEmptyOnesAreDropped) {
  EXPECT_EQ(SplitMbox("Subject: Lone\n\nText.\n"),
            std::vector<std::string_view>{"Subject: Lone\n\nText."});
  EXPECT_TRUE(SplitMbox("").empty());
  EXPECT_EQ(SplitMbox("From a@b Mon 1 2024\n\nFrom c@d Tue 2 2024\nSubject: Two\n"),
            std::vector<std::string_view>{"Subject: Two"});
}

}  // namespace
}  // namespace wissen::crawler
