#include "sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wissen::engine::internal {
namespace {

std::vector<SseEvent> ParseAll(SseParser& parser, const std::vector<std::string>& pieces) {
  std::vector<SseEvent> events;
  auto collect = [&](const SseEvent& event) {
    events.push_back(event);
    return true;
  };
  for (const std::string& piece : pieces) EXPECT_TRUE(parser.Feed(piece, collect));
  EXPECT_TRUE(parser.Finish(collect));
  return events;
}

std::vector<std::string> Data(const std::vector<SseEvent>& events) {
  std::vector<std::string> data;
  for (const SseEvent& event : events) data.push_back(event.data);
  return data;
}

TEST(SseParserTest, SplitsDataEventsAndKeepsDoneAsData) {
  SseParser parser;
  auto events = ParseAll(parser, {"data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "[DONE]"}));
}

TEST(SseParserTest, IgnoresCommentLinesButCountsThem) {
  SseParser parser;
  auto events = ParseAll(parser, {": ping\n\ndata: x\n: keep-alive\n\n:\n\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"x"}));
  EXPECT_EQ(parser.comment_count(), 3u);
}

TEST(SseParserTest, AcceptsCrLfAndBareCrLineEnds) {
  SseParser parser;
  auto events = ParseAll(parser, {"data: one\r\n\r\ndata: two\r\rdata: three\n\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"one", "two", "three"}));
}

TEST(SseParserTest, CrLfSplitAcrossReadsIsOneLineEnd) {
  SseParser parser;
  auto events = ParseAll(parser, {"data: one\r", "\n\r", "\ndata: two\r\n\r\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"one", "two"}));
}

TEST(SseParserTest, ByteByByteFeedingGivesTheSameEvents) {
  const std::string stream =
      ": ping\r\n\r\ndata: {\"x\":\"a b\"}\r\n\r\nevent: error\ndata: {\"e\":1}\n\ndata: "
      "[DONE]\n\n";
  SseParser whole_parser;
  auto whole = ParseAll(whole_parser, {stream});
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  SseParser byte_parser;
  auto by_byte = ParseAll(byte_parser, bytes);
  EXPECT_EQ(Data(whole), Data(by_byte));
  ASSERT_EQ(by_byte.size(), 3u);
  EXPECT_EQ(by_byte[1].event, "error");
  EXPECT_EQ(by_byte[2].event, "");
}

TEST(SseParserTest, JoinsDataLinesOfOneEventWithNewline) {
  SseParser parser;
  auto events = ParseAll(parser, {"data: first\ndata: second\n\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"first\nsecond"}));
}

TEST(SseParserTest, StripsExactlyOneSpaceAfterTheColon) {
  SseParser parser;
  auto events = ParseAll(parser, {"data:tight\n\ndata:  spaced\n\ndata\n\n"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"tight", " spaced", ""}));
}

TEST(SseParserTest, EventsWithoutDataAreDropped) {
  SseParser parser;
  auto events = ParseAll(parser, {"event: ping\n\nid: 7\nretry: 10\n\ndata: x\n\n"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "x");
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(events[0].id, "7");
}

TEST(SseParserTest, FinishDispatchesAnUnterminatedLastEvent) {
  SseParser parser;
  auto events = ParseAll(parser, {"data: one\n\ndata: [DONE]"});
  EXPECT_EQ(Data(events), (std::vector<std::string>{"one", "[DONE]"}));
}

TEST(SseParserTest, HandlerReturningFalseStopsParsing) {
  SseParser parser;
  int seen = 0;
  bool go_on = parser.Feed("data: 1\n\ndata: 2\n\ndata: 3\n\n", [&](const SseEvent&) {
    ++seen;
    return seen < 2;
  });
  EXPECT_FALSE(go_on);
  EXPECT_EQ(seen, 2);
}

TEST(SseParserTest, OverlongLineOverflowsInsteadOfGrowingForever) {
  SseParser parser(64);
  auto ignore = [](const SseEvent&) { return true; };
  EXPECT_TRUE(parser.Feed("data: " + std::string(40, 'x'), ignore));
  EXPECT_FALSE(parser.Feed(std::string(40, 'x'), ignore));
  EXPECT_TRUE(parser.overflow());
  EXPECT_FALSE(parser.Feed("\n\n", ignore));
}

TEST(SseParserTest, OverlongEventOfManyShortLinesOverflows) {
  SseParser parser(64);
  std::string stream;
  for (int i = 0; i < 10; ++i) stream += "data: 0123456789\n";
  EXPECT_FALSE(parser.Feed(stream, [](const SseEvent&) { return true; }));
  EXPECT_TRUE(parser.overflow());
}

}  // namespace
}  // namespace wissen::engine::internal
