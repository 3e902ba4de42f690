#include "wissen/indexer/chunker.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace wissen::indexer {
namespace {

Block MakeBlock(std::vector<std::string> path, int page, std::string text) {
  Block block;
  block.heading_path = std::move(path);
  block.page = page;
  block.text = std::move(text);
  return block;
}

ParsedDocument MakeDocument(std::vector<Block> blocks, std::string language = "en",
                            std::string title = "Handbook") {
  ParsedDocument document;
  document.title = std::move(title);
  document.language = std::move(language);
  document.blocks = std::move(blocks);
  return document;
}

std::string JoinBlocks(const ParsedDocument& document) {
  std::string joined;
  for (size_t i = 0; i < document.blocks.size(); ++i) {
    if (i > 0) joined += "\n\n";
    joined += document.blocks[i].text;
  }
  return joined;
}

// "Sentence 17 is about the topic at hand." and similar, each about 40 bytes.
std::string Sentences(int count, int first = 0) {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    if (!text.empty()) text += ' ';
    text += "Sentence " + std::to_string(i) + " is about the topic at hand.";
  }
  return text;
}

ChunkerOptions Options(int target, int max, int overlap) {
  ChunkerOptions options;
  options.target_chars = target;
  options.max_chars = max;
  options.overlap_sentences = overlap;
  return options;
}

void ExpectOffsetsPointAtText(const ParsedDocument& document, const std::vector<Chunk>& chunks) {
  const std::string joined = JoinBlocks(document);
  for (const Chunk& chunk : chunks) {
    ASSERT_GE(chunk.char_start, 0);
    ASSERT_LE(chunk.char_end, static_cast<int>(joined.size()));
    EXPECT_EQ(joined.substr(chunk.char_start, chunk.char_end - chunk.char_start), chunk.text);
  }
}

TEST(ChunkerTest, SmallDocumentIsOneChunkWithTitleInPath) {
  const ParsedDocument document =
      MakeDocument({MakeBlock({"Leave", "Requests"}, 0, "Ask early. Ask politely.")});
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].ordinal, 0);
  EXPECT_EQ(chunks[0].text, "Ask early. Ask politely.");
  EXPECT_EQ(chunks[0].heading_path, "Handbook \u203A Leave \u203A Requests");
  EXPECT_EQ(chunks[0].char_start, 0);
  EXPECT_EQ(chunks[0].char_end, 24);
}

TEST(ChunkerTest, HeadingPathDropsEmptyParts) {
  const ParsedDocument document =
      MakeDocument({MakeBlock({"", "Section", " "}, 0, "Text.")}, "en", "");
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].heading_path, "Section");
}

TEST(ChunkerTest, NeverSpansTwoPages) {
  const ParsedDocument document = MakeDocument(
      {MakeBlock({"A"}, 1, "First page text."), MakeBlock({"A"}, 2, "Second page text.")});
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].page, 1);
  EXPECT_EQ(chunks[0].text, "First page text.");
  EXPECT_EQ(chunks[1].page, 2);
  EXPECT_EQ(chunks[1].text, "Second page text.");
  EXPECT_EQ(chunks[1].ordinal, 1);
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, NeverSpansTwoTopLevelSections) {
  const ParsedDocument document = MakeDocument(
      {MakeBlock({"Travel"}, 0, "Book trains."), MakeBlock({"Leave"}, 0, "Ask early.")});
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].heading_path, "Handbook \u203A Travel");
  EXPECT_EQ(chunks[1].heading_path, "Handbook \u203A Leave");
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, MergesSmallBlocksOfOneSectionUnderTheirCommonPath) {
  const ParsedDocument document =
      MakeDocument({MakeBlock({"Travel", "Trains"}, 3, "Book trains early."),
                    MakeBlock({"Travel", "Hotels"}, 3, "Hotels need approval.")});
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Book trains early.\n\nHotels need approval.");
  EXPECT_EQ(chunks[0].heading_path, "Handbook \u203A Travel");
  EXPECT_EQ(chunks[0].page, 3);
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, GermanAbbreviationsDoNotEndSentences) {
  // With a target of one byte every sentence becomes its own chunk, which exposes the
  // sentence boundaries.
  const ParsedDocument document =
      MakeDocument({MakeBlock({}, 0, "Das gilt z. B. für Dr. Müller. Neuer Satz.")}, "de");
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(1, 1600, 0));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].text, "Das gilt z. B. für Dr. Müller.");
  EXPECT_EQ(chunks[1].text, "Neuer Satz.");
}

TEST(ChunkerTest, MoreGermanAbbreviations) {
  const ParsedDocument document = MakeDocument(
      {MakeBlock({}, 0,
                 "Siehe Abs. 3 und Art. Fünf bzw. Nr. Sieben, ggf. Anlage usw. Ende. Es "
                 "kostet ca. Zehn Euro, vgl. S. Vier. Das ist ein Satz. Für alle "
                 "Mitarbeiter. Plan B. Noch einer.")},
      "de");
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(1, 1600, 0));
  std::vector<std::string> texts;
  for (const Chunk& chunk : chunks) texts.push_back(chunk.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "Siehe Abs. 3 und Art. Fünf bzw. Nr. Sieben, ggf. Anlage usw. Ende.",
                       "Es kostet ca. Zehn Euro, vgl. S. Vier.", "Das ist ein Satz.",
                       "Für alle Mitarbeiter.", "Plan B.", "Noch einer."}));
}

TEST(ChunkerTest, EnglishAbbreviationsDoNotEndSentences) {
  const ParsedDocument document = MakeDocument(
      {MakeBlock({}, 0, "Ask Mr. Smith, e.g. Via Fig. 3. We moved to America. Then we left.")});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(1, 1600, 0));
  std::vector<std::string> texts;
  for (const Chunk& chunk : chunks) texts.push_back(chunk.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"Ask Mr. Smith, e.g. Via Fig. 3.",
                                             "We moved to America.", "Then we left."}));
}

TEST(ChunkerTest, WrappedLinesDoNotEndSentences) {
  const ParsedDocument document =
      MakeDocument({MakeBlock({}, 0, "This sentence wraps\nacross lines.\nNext one.")});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(1, 1600, 0));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].text, "This sentence wraps\nacross lines.");
  EXPECT_EQ(chunks[1].text, "Next one.");
}

TEST(ChunkerTest, TargetSizeIsRespected) {
  const ParsedDocument document = MakeDocument({MakeBlock({"A"}, 0, Sentences(200))});
  const ChunkerOptions options = Options(400, 1000, 0);
  const std::vector<Chunk> chunks = ChunkDocument(document, options);
  ASSERT_GT(chunks.size(), 10u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const int size = static_cast<int>(chunks[i].text.size());
    // A sentence is about 40 bytes: chunks land within one sentence of the target; the
    // last one may also have absorbed a remainder of up to a quarter of the target.
    if (i + 1 < chunks.size()) {
      EXPECT_LE(size, 400 + 45) << i;
      EXPECT_GE(size, 400 - 45) << i;
    } else {
      EXPECT_LE(size, 400 + 100 + 45) << i;
    }
  }
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, ChunksCoverTheTextInOrderWithoutOverlapWhenDisabled) {
  const ParsedDocument document = MakeDocument({MakeBlock({"A"}, 0, Sentences(100))});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(300, 600, 0));
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].ordinal, static_cast<int>(i));
    if (i > 0) {
      EXPECT_EQ(chunks[i].char_start, chunks[i - 1].char_end + 1);  // one space between
    }
  }
  EXPECT_EQ(chunks.front().char_start, 0);
  EXPECT_EQ(chunks.back().char_end, static_cast<int>(document.blocks[0].text.size()));
}

TEST(ChunkerTest, OverlapRepeatsTheLastSentence) {
  const ParsedDocument document = MakeDocument({MakeBlock({"A"}, 0, Sentences(60))});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(300, 600, 1));
  ASSERT_GT(chunks.size(), 3u);
  for (size_t i = 1; i < chunks.size(); ++i) {
    const std::string& previous = chunks[i - 1].text;
    const std::string last_sentence = previous.substr(previous.rfind("Sentence "));
    EXPECT_EQ(chunks[i].text.rfind(last_sentence, 0), 0u) << i;
    EXPECT_LT(chunks[i].char_start, chunks[i - 1].char_end);
    EXPECT_GT(chunks[i].char_end, chunks[i - 1].char_end);
  }
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, OverlapDoesNotCrossBlocks) {
  const ParsedDocument document = MakeDocument(
      {MakeBlock({"A", "x"}, 0, Sentences(10)), MakeBlock({"A", "y"}, 0, Sentences(10, 100))});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(300, 600, 2));
  for (const Chunk& chunk : chunks) {
    EXPECT_EQ(chunk.text.find("\n\n"), std::string::npos) << chunk.text;
  }
}

TEST(ChunkerTest, OverlapSkipsParagraphStarts) {
  const ParsedDocument document =
      MakeDocument({MakeBlock({"A"}, 0, Sentences(8) + "\n\n" + Sentences(8, 50))});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(330, 800, 1));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].text, Sentences(8, 50));
}

TEST(ChunkerTest, TailOfALongBlockDoesNotRunIntoTheNextBlock) {
  // Block x needs two chunks; its short remainder joins the chunk before it rather than
  // the next block, so no chunk mixes sub-sections x and y.
  const ParsedDocument document = MakeDocument(
      {MakeBlock({"A", "x"}, 0, Sentences(14)), MakeBlock({"A", "y"}, 0, Sentences(3, 100))});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(300, 600, 0));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].heading_path, "Handbook \u203A A \u203A x");
  EXPECT_EQ(chunks[1].heading_path, "Handbook \u203A A \u203A x");
  EXPECT_EQ(chunks[1].char_end, static_cast<int>(document.blocks[0].text.size()));
  EXPECT_EQ(chunks[2].text, Sentences(3, 100));
  EXPECT_EQ(chunks[2].heading_path, "Handbook \u203A A \u203A y");
}

TEST(ChunkerTest, ShortRemainderJoinsThePreviousChunk) {
  // 9 sentences of ~40 bytes with a target of 300: 8 fill the first chunk, and the ninth
  // alone would be a sliver.
  const ParsedDocument document = MakeDocument({MakeBlock({"A"}, 0, Sentences(8))});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(280, 600, 0));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, Sentences(8));
}

TEST(ChunkerTest, MaxSizeIsAHardBound) {
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text += "A rather long sentence number " + std::to_string(i) + " " +
            std::string(30 + i * 7, 'x') + " with a few more words and ümläute. ";
  }
  const ParsedDocument document = MakeDocument({MakeBlock({"A"}, 0, text)});
  for (int overlap : {0, 1, 3}) {
    const std::vector<Chunk> chunks = ChunkDocument(document, Options(200, 260, overlap));
    ASSERT_FALSE(chunks.empty());
    for (const Chunk& chunk : chunks) EXPECT_LE(chunk.text.size(), 260u);
    ExpectOffsetsPointAtText(document, chunks);
  }
}

TEST(ChunkerTest, HugeSingleSentenceIsSplitAtWordsAndCodePoints) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "Wörter ";
  text += std::string(5000, 'y');  // one token longer than max
  text += "äöü";
  const ParsedDocument document = MakeDocument({MakeBlock({"A"}, 0, text)}, "de");
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(1000, 1600, 1));
  ASSERT_GT(chunks.size(), 100u);
  for (const Chunk& chunk : chunks) {
    EXPECT_LE(chunk.text.size(), 1600u);
    EXPECT_FALSE(chunk.text.empty());
    // Never cut inside a UTF-8 sequence: no chunk starts with a continuation byte.
    EXPECT_NE(static_cast<unsigned char>(chunk.text.front()) & 0xC0, 0x80);
    EXPECT_NE(chunk.text.back(), ' ');
  }
  for (size_t i = 0; i + 1 < chunks.size() && i < 100; ++i) {
    // Word pieces end at a whole word.
    EXPECT_TRUE(chunks[i].text.ends_with("Wörter")) << i;
  }
  EXPECT_TRUE(chunks.back().text.ends_with("äöü"));
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, EmptyAndWhitespaceBlocksGiveNoChunks) {
  EXPECT_TRUE(ChunkDocument(MakeDocument({}), {}).empty());
  const ParsedDocument document =
      MakeDocument({MakeBlock({"A"}, 1, ""), MakeBlock({"A"}, 1, " \n\n\t "),
                    MakeBlock({"A"}, 1, "Real text."), MakeBlock({"A"}, 1, "\n")});
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Real text.");
  EXPECT_EQ(chunks[0].ordinal, 0);
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, ParagraphsArePreferredBreakPoints) {
  // Two paragraphs of ~280 bytes with a target of 400: the break falls between them
  // rather than in the middle of the second one.
  const ParsedDocument document =
      MakeDocument({MakeBlock({"A"}, 0, Sentences(7) + "\n\n" + Sentences(7, 50))});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(400, 800, 0));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].text, Sentences(7));
  EXPECT_EQ(chunks[1].text, Sentences(7, 50));
}

TEST(ChunkerTest, OffsetsPointAtTextAcrossManyBlocks) {
  std::vector<Block> blocks;
  for (int i = 0; i < 30; ++i) {
    blocks.push_back(MakeBlock({"S" + std::to_string(i / 10), "sub" + std::to_string(i / 3)},
                               1 + i / 7, Sentences(1 + i % 9, i * 10) + "\n\nÜberschrift."));
  }
  const ParsedDocument document = MakeDocument(std::move(blocks));
  for (int overlap : {0, 1}) {
    const std::vector<Chunk> chunks = ChunkDocument(document, Options(250, 400, overlap));
    ExpectOffsetsPointAtText(document, chunks);
  }
}

TEST(ChunkerTest, InvalidOptionsAreClamped) {
  const ParsedDocument document = MakeDocument({MakeBlock({}, 0, "Größe äöü ß.")});
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(-5, 0, -1));
  ASSERT_FALSE(chunks.empty());
  for (const Chunk& chunk : chunks) EXPECT_LE(chunk.text.size(), 4u);
  ExpectOffsetsPointAtText(document, chunks);
}

Block MakeTable(std::vector<std::string> heading_path, const std::string& header, int rows) {
  Block block = MakeBlock(std::move(heading_path), 0, header);
  block.table = true;
  block.table_header = header;
  for (int i = 1; i <= rows; ++i) {
    block.text += "\nStufe " + std::to_string(i) + " | " + std::to_string(40000 + 1000 * i) +
                  " EUR | Bereich " + std::to_string(i % 3);
  }
  return block;
}

TEST(ChunkerTest, TableChunksBreakBetweenRowsAndRepeatTheHeader) {
  const std::string header = "Gehaltsband | Jahresgehalt | Bereich";
  const ParsedDocument document =
      MakeDocument({MakeTable({"Gehaltsbänder 2025"}, header, 40)}, "de");
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(300, 450, 1));
  ASSERT_GT(chunks.size(), 3u);
  const std::string joined = JoinBlocks(document);
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& chunk = chunks[i];
    ASSERT_LE(static_cast<int>(chunk.text.size()), 450);
    // Every chunk begins with the header, the first one because the table does.
    EXPECT_TRUE(chunk.text.starts_with(header + "\n")) << chunk.text;
    const std::string slice = joined.substr(chunk.char_start, chunk.char_end - chunk.char_start);
    EXPECT_EQ(chunk.text, i == 0 ? slice : header + "\n" + slice);
    // Whole rows only, and no row twice (tables get no overlap).
    EXPECT_TRUE(slice.starts_with("Stufe ") || i == 0) << slice;
    EXPECT_TRUE(slice.ends_with("Bereich 0") || slice.ends_with("Bereich 1") ||
                slice.ends_with("Bereich 2"))
        << slice;
    if (i > 0) EXPECT_GE(chunk.char_start, chunks[i - 1].char_end);
  }
  EXPECT_NE(chunks.back().text.find("Stufe 40 | 80000 EUR"), std::string::npos);
}

TEST(ChunkerTest, ProseChunksDoNotRepeatAnyHeader) {
  Block prose = MakeBlock({"Urlaub"}, 0, Sentences(30));
  const ParsedDocument document = MakeDocument({prose}, "en");
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(300, 450, 0));
  ASSERT_GT(chunks.size(), 1u);
  ExpectOffsetsPointAtText(document, chunks);
}

TEST(ChunkerTest, AnOverlongHeaderIsNotRepeated) {
  const std::string header(200, 'H');
  const ParsedDocument document = MakeDocument({MakeTable({"T"}, header, 20)}, "de");
  const std::vector<Chunk> chunks = ChunkDocument(document, Options(300, 450, 0));
  ASSERT_GT(chunks.size(), 1u);
  ExpectOffsetsPointAtText(document, chunks);
}

// The index of the block whose text holds byte `offset` of the joined text.
int BlockAt(const ParsedDocument& document, int offset) {
  int start = 0;
  for (size_t b = 0; b < document.blocks.size(); ++b) {
    const int end = start + static_cast<int>(document.blocks[b].text.size());
    if (offset < end + 2) return static_cast<int>(b);
    start = end + 2;
  }
  return static_cast<int>(document.blocks.size()) - 1;
}

TEST(ChunkerTest, RandomDocumentsKeepTheInvariants) {
  // Deterministic pseudo-random documents: words, abbreviations, multi-byte letters, line
  // breaks and blank lines in every combination the parsers may produce.
  const std::vector<std::string> pieces = {
      "Wort", "Größe", "z. B.", "Dr.", "e.g.", ".", ". ", "! ",        "? ",  " ",
      "\n",   "\n\n",  "ca.",   "S.",  "🙂", "x", "\t", "Satz. Neu", "äöü", "yyyyyyyyyyyyyyyy"};
  std::mt19937 random(42);
  for (int round = 0; round < 300; ++round) {
    std::vector<Block> blocks;
    const int block_count = 1 + static_cast<int>(random() % 6);
    for (int b = 0; b < block_count; ++b) {
      std::string text;
      const int length = static_cast<int>(random() % 400);
      for (int i = 0; i < length; ++i) text += pieces[random() % pieces.size()];
      Block block = MakeBlock({"S" + std::to_string(random() % 2), std::to_string(b)},
                              static_cast<int>(random() % 2), text);
      if (random() % 4 == 0) {
        block.table = true;
        block.table_header = text.substr(0, text.find('\n'));
      }
      blocks.push_back(std::move(block));
    }
    const ParsedDocument document = MakeDocument(std::move(blocks), round % 2 == 0 ? "de" : "en");
    const int target = 20 + static_cast<int>(random() % 300);
    const ChunkerOptions options =
        Options(target, target + static_cast<int>(random() % 200), static_cast<int>(random() % 3));
    const std::vector<Chunk> chunks = ChunkDocument(document, options);
    const std::string joined = JoinBlocks(document);
    std::vector<bool> covered(joined.size(), false);
    for (size_t i = 0; i < chunks.size(); ++i) {
      const Chunk& chunk = chunks[i];
      ASSERT_EQ(chunk.ordinal, static_cast<int>(i));
      ASSERT_FALSE(chunk.text.empty());
      ASSERT_LE(static_cast<int>(chunk.text.size()), options.max_chars);
      const std::string slice = joined.substr(chunk.char_start, chunk.char_end - chunk.char_start);
      if (chunk.text != slice) {
        // Only a table's header row may come first.
        const int block = BlockAt(document, chunk.char_start);
        ASSERT_TRUE(document.blocks[block].table) << round;
        ASSERT_EQ(chunk.text, document.blocks[block].table_header + "\n" + slice) << round;
      }
      ASSERT_NE(static_cast<unsigned char>(chunk.text.front()) & 0xC0, 0x80);
      if (i > 0) {
        ASSERT_GE(chunk.char_start, chunks[i - 1].char_start);
      }
      for (int k = chunk.char_start; k < chunk.char_end; ++k) covered[k] = true;
    }
    for (size_t k = 0; k < joined.size(); ++k) {
      const char c = joined[k];
      if (c != ' ' && c != '\n' && c != '\t') {
        ASSERT_TRUE(covered[k]) << round << " " << k;
      }
    }
  }
}

}  // namespace
}  // namespace wissen::indexer
