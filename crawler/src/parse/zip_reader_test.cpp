#include "zip_reader.h"

#include <gtest/gtest.h>
#include <zip.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wissen::crawler {
namespace {

// A zip archive written byte by byte, so that a test can make it lie: a declared size that
// is not the real one, an encryption flag, a wrong checksum.
struct RawEntry {
  std::string name;
  std::string data;
  bool deflate = true;
  int64_t declared_size = -1;  // -1: the real size
  bool encrypted = false;
  bool bad_crc = false;
};

void Put16(std::string* out, uint32_t value) {
  out->push_back(static_cast<char>(value & 0xFF));
  out->push_back(static_cast<char>((value >> 8) & 0xFF));
}

void Put32(std::string* out, uint32_t value) {
  Put16(out, value & 0xFFFF);
  Put16(out, value >> 16);
}

std::string Deflate(std::string_view data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string MakeRawZip(const std::vector<RawEntry>& entries) {
  std::string out, directory;
  for (const RawEntry& entry : entries) {
    const std::string stored = entry.deflate ? Deflate(entry.data) : entry.data;
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef*>(entry.data.data()),
                         static_cast<uInt>(entry.data.size()));
    if (entry.bad_crc) crc ^= 0xFFFF;
    const uint32_t size = entry.declared_size >= 0 ? static_cast<uint32_t>(entry.declared_size)
                                                   : static_cast<uint32_t>(entry.data.size());
    const uint16_t flags = entry.encrypted ? 1 : 0;
    const uint16_t method = entry.deflate ? 8 : 0;
    const uint32_t offset = static_cast<uint32_t>(out.size());
    Put32(&out, 0x04034b50);
    Put16(&out, 20);
    Put16(&out, flags);
    Put16(&out, method);
    Put32(&out, 0);  // time, date
    Put32(&out, crc);
    Put32(&out, static_cast<uint32_t>(stored.size()));
    Put32(&out, size);
    Put16(&out, static_cast<uint32_t>(entry.name.size()));
    Put16(&out, 0);
    out += entry.name;
    out += stored;

    Put32(&directory, 0x02014b50);
    Put16(&directory, 20);
    Put16(&directory, 20);
    Put16(&directory, flags);
    Put16(&directory, method);
    Put32(&directory, 0);
    Put32(&directory, crc);
    Put32(&directory, static_cast<uint32_t>(stored.size()));
    Put32(&directory, size);
    Put16(&directory, static_cast<uint32_t>(entry.name.size()));
    Put32(&directory, 0);  // extra and comment length
    Put32(&directory, 0);  // disk, internal attributes
    Put32(&directory, 0);  // external attributes
    Put32(&directory, offset);
    directory += entry.name;
  }
  const uint32_t directory_offset = static_cast<uint32_t>(out.size());
  out += directory;
  Put32(&out, 0x06054b50);
  Put32(&out, 0);
  Put16(&out, static_cast<uint32_t>(entries.size()));
  Put16(&out, static_cast<uint32_t>(entries.size()));
  Put32(&out, static_cast<uint32_t>(directory.size()));
  Put32(&out, directory_offset);
  Put16(&out, 0);
  return out;
}

std::string Zeros(size_t size) { return std::string(size, '\0'); }

// Bytes that do not compress: a linear congruential sequence.
std::string Noise(size_t size) {
  std::string out(size, '\0');
  uint32_t state = 12345;
  for (char& c : out) {
    state = state * 1103515245 + 12345;
    c = static_cast<char>(state >> 24);
  }
  return out;
}

TEST(ZipReaderTest, ReadsEntriesByNameOnly) {
  const std::string zip = MakeRawZip({{"word/document.xml", "<w:document/>"},
                                      {"../../etc/passwd", "root:x:0:0"},
                                      {"/abs/name.xml", "absolute"},
                                      {"stored.txt", "kept as is", /*deflate=*/false}});
  auto reader = ZipReader::Open(zip);
  ASSERT_TRUE(reader.has_value()) << reader.error().ToString();
  EXPECT_EQ(reader->entry_count(), 4u);
  EXPECT_EQ(reader->Read("word/document.xml").value_or(""), "<w:document/>");
  EXPECT_EQ(reader->Read("stored.txt").value_or(""), "kept as is");
  // Office Open XML part names are case-insensitive.
  EXPECT_TRUE(reader->Contains("Word/Document.XML"));
  // Paths that climb out or start at the root are never looked up, even when present.
  EXPECT_FALSE(reader->Contains("../../etc/passwd"));
  EXPECT_FALSE(reader->Contains("/abs/name.xml"));
  auto missing = reader->Read("word/missing.xml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ZipReaderTest, HighlyCompressedEntryIsAZipBomb) {
  const std::string zip = MakeRawZip({{"content.xml", Zeros(4 << 20)}});
  auto reader = ZipReader::Open(zip);
  ASSERT_TRUE(reader.has_value());
  auto data = reader->Read("content.xml");
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(data.error().message.find("compressed more than 100:1"), std::string::npos)
      << data.error().message;
  // Below the floor of 1 MiB, a high ratio is fine: small XML parts compress well.
  const std::string small = MakeRawZip({{"styles.xml", Zeros(512 << 10)}});
  auto small_reader = ZipReader::Open(small);
  ASSERT_TRUE(small_reader.has_value());
  EXPECT_EQ(small_reader->Read("styles.xml").value_or("").size(), 512u << 10);
}

TEST(ZipReaderTest, DeclaredSizeIsNotTrusted) {
  // The directory claims 100 bytes; the data inflates to 4 MiB.
  const std::string zip = MakeRawZip({{"content.xml", Zeros(4 << 20), true, 100}});
  auto reader = ZipReader::Open(zip);
  ASSERT_TRUE(reader.has_value());
  auto data = reader->Read("content.xml");
  ASSERT_FALSE(data.has_value());
  EXPECT_TRUE(data.error().code == ErrorCode::kResourceExhausted ||
              data.error().code == ErrorCode::kParse)
      << data.error().ToString();

  // Without a ratio limit, the entry limit counts the bytes actually inflated.
  ZipLimits limits;
  limits.max_ratio = 1'000'000;
  limits.max_entry_bytes = 64 << 10;
  auto unlimited_ratio = ZipReader::Open(zip, limits);
  ASSERT_TRUE(unlimited_ratio.has_value());
  auto capped = unlimited_ratio->Read("content.xml");
  ASSERT_FALSE(capped.has_value());
  EXPECT_TRUE(capped.error().code == ErrorCode::kResourceExhausted ||
              capped.error().code == ErrorCode::kParse)
      << capped.error().ToString();
}

TEST(ZipReaderTest, EntrySizeLimit) {
  ZipLimits limits;
  limits.max_entry_bytes = 1000;
  const std::string zip = MakeRawZip({{"big.xml", Noise(2000)}, {"small.xml", Noise(500)}});
  auto reader = ZipReader::Open(zip, limits);
  ASSERT_TRUE(reader.has_value());
  auto big = reader->Read("big.xml");
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(big.error().message.find("'big.xml' unpacks to more than"), std::string::npos)
      << big.error().message;
  EXPECT_EQ(reader->Read("small.xml").value_or("").size(), 500u);
  // Asked to, the reader returns the start of a big entry instead.
  bool truncated = false;
  auto start = reader->Read("big.xml", &truncated);
  ASSERT_TRUE(start.has_value()) << start.error().ToString();
  EXPECT_TRUE(truncated);
  EXPECT_EQ(*start, Noise(2000).substr(0, 1000));
  EXPECT_EQ(reader->Read("small.xml", &truncated).value_or("").size(), 500u);
  EXPECT_FALSE(truncated);
  // Also when the directory lies about the size.
  const std::string lying = MakeRawZip({{"big.xml", Noise(2000), true, 10}});
  auto lying_reader = ZipReader::Open(lying, limits);
  ASSERT_TRUE(lying_reader.has_value());
  auto lying_start = lying_reader->Read("big.xml", &truncated);
  EXPECT_TRUE(truncated);
  EXPECT_LE(lying_start.value_or(std::string(2000, 'x')).size(), 1000u);
}

TEST(ZipReaderTest, TotalSizeLimitCountsEveryRead) {
  ZipLimits limits;
  limits.max_total_bytes = 100 << 10;
  const std::string zip = MakeRawZip(
      {{"a.xml", Noise(40 << 10)}, {"b.xml", Noise(40 << 10)}, {"c.xml", Noise(40 << 10)}});
  auto reader = ZipReader::Open(zip, limits);
  ASSERT_TRUE(reader.has_value());
  EXPECT_TRUE(reader->Read("a.xml").has_value());
  EXPECT_TRUE(reader->Read("b.xml").has_value());
  auto third = reader->Read("c.xml");
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(third.error().message, "zip archive unpacks to more than 100 KiB");
  // Reading the same entry again counts again: a package cannot loop its way past the limit.
  EXPECT_FALSE(reader->Read("a.xml").has_value());
}

TEST(ZipReaderTest, EntryCountLimit) {
  ZipLimits limits;
  limits.max_entries = 10;
  std::vector<RawEntry> entries;
  for (int i = 0; i < 11; ++i) entries.push_back({"part" + std::to_string(i) + ".xml", "<x/>"});
  const std::string too_many = MakeRawZip(entries);
  auto reader = ZipReader::Open(too_many, limits);
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(reader.error().message, "zip archive has more than 10 entries");
  entries.pop_back();
  const std::string enough = MakeRawZip(entries);
  EXPECT_TRUE(ZipReader::Open(enough, limits).has_value());
}

TEST(ZipReaderTest, EncryptedEntryIsPasswordProtected) {
  RawEntry entry{"content.xml", "ciphertext"};
  entry.deflate = false;
  entry.encrypted = true;
  const std::string zip = MakeRawZip({entry});
  auto reader = ZipReader::Open(zip);
  ASSERT_TRUE(reader.has_value());
  auto data = reader->Read("content.xml");
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(data.error().message, "password-protected Office document");
}

TEST(ZipReaderTest, CorruptEntryIsAParseError) {
  RawEntry entry{"content.xml", "<office:document-content/>"};
  entry.bad_crc = true;
  const std::string zip = MakeRawZip({entry});
  auto reader = ZipReader::Open(zip);
  ASSERT_TRUE(reader.has_value());
  auto data = reader->Read("content.xml");
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code, ErrorCode::kParse);
  EXPECT_NE(data.error().message.find("'content.xml' is corrupt"), std::string::npos)
      << data.error().message;
}

TEST(ZipReaderTest, TruncatedOrForeignBytesAreParseErrors) {
  const std::string zip = MakeRawZip({{"content.xml", Noise(4096)}});
  for (const std::string& bytes : {zip.substr(0, zip.size() / 2), std::string("PK\x03\x04"),
                                   std::string("%PDF-1.7"), std::string()}) {
    auto reader = ZipReader::Open(bytes);
    ASSERT_FALSE(reader.has_value());
    EXPECT_EQ(reader.error().code, ErrorCode::kParse);
    EXPECT_EQ(reader.error().message, "not a zip archive, or a truncated or corrupt one");
  }
}

}  // namespace
}  // namespace wissen::crawler
