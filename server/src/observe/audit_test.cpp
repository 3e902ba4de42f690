#include "wissen/server/audit.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <future>

#include "wissen/core/text.h"

namespace wissen::server {
namespace {
namespace fs = std::filesystem;

app::AuditKey KeyOf(unsigned char fill) {
  std::array<unsigned char, app::AuditKey::kBytes> bytes;
  bytes.fill(fill);
  return app::AuditKey::FromBytes(bytes);
}

fs::path TempDir() {
  std::string pattern = (fs::temp_directory_path() / "wissen-audit-XXXXXX").string();
  const char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return pattern;
}

TEST(AuditKeyTest, PseudonymIsStablePerKeyAndRevealsNothingPlain) {
  const app::AuditKey key = KeyOf(1);
  const std::string anna = key.Pseudonym("anna");
  EXPECT_EQ(anna.size(), 64u);
  EXPECT_EQ(anna, KeyOf(1).Pseudonym("anna"));
  EXPECT_NE(anna, key.Pseudonym("anne"));
  EXPECT_NE(anna, KeyOf(2).Pseudonym("anna"));  // keyed: another key, another pseudonym
  EXPECT_NE(anna, Sha256Hex("anna"));           // not a plain hash anyone can recompute
  // Pseudonyms and query hashes use separate subkeys: a user named like a question does not
  // collide with that question's hash.
  EXPECT_NE(anna, key.QueryHash("anna"));
}

TEST(AuditKeyTest, QueryHashIgnoresWhitespaceAndIsKeyed) {
  const app::AuditKey key = KeyOf(3);
  EXPECT_EQ(key.QueryHash("Wie viel  Urlaub?"), key.QueryHash(" Wie viel Urlaub?\n"));
  EXPECT_NE(key.QueryHash("Wie viel Urlaub?"), KeyOf(4).QueryHash("Wie viel Urlaub?"));
  EXPECT_NE(key.QueryHash("Wie viel Urlaub?"), Sha256Hex("Wie viel Urlaub?"));
  EXPECT_EQ(key.QueryHash("  "), "");
}

TEST(AuditKeyTest, SealedQuestionRoundTripsOnlyWithTheKey) {
  const app::AuditKey key = KeyOf(5);
  const std::string question = "Gehaltsband von Frau Müller?";
  const std::string sealed = key.SealQuestion(question);
  EXPECT_EQ(sealed.find("Müller"), std::string::npos);
  EXPECT_NE(sealed, key.SealQuestion(question));  // fresh nonce each time
  auto opened = key.OpenQuestion(sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, question);

  EXPECT_FALSE(KeyOf(6).OpenQuestion(sealed));
  std::string tampered = sealed;
  tampered.back() ^= 1;
  EXPECT_FALSE(key.OpenQuestion(tampered));
  EXPECT_FALSE(key.OpenQuestion("short"));
}

TEST(AuditKeyTest, KeyFileIsCreatedPrivateOnceAndReadBack) {
  const fs::path dir = TempDir();
  const fs::path file = dir / "sub" / "audit.key";
  EXPECT_EQ(app::AuditKey::Load(file).error().code, ErrorCode::kNotFound);
  auto created = app::AuditKey::LoadOrCreate(file);
  ASSERT_TRUE(created) << created.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(fs::file_size(file), 65u);  // 64 hex characters and a newline

  auto again = app::AuditKey::LoadOrCreate(file);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->Pseudonym("anna"), created->Pseudonym("anna"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "sub"), fs::directory_iterator()), 1);

  std::ofstream(dir / "bad.key") << "not a key\n";
  EXPECT_EQ(app::AuditKey::Load(dir / "bad.key").error().code, ErrorCode::kConfig);
  std::ofstream(dir / "raw.key", std::ios::binary) << std::string(32, '\x07');
  auto raw = app::AuditKey::Load(dir / "raw.key");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->Pseudonym("anna"), KeyOf(7).Pseudonym("anna"));
  fs::remove_all(dir);
}

AuditEvent SampleEvent(const std::string& user) {
  AuditEvent event;
  event.user = user;
  event.action = "ask";
  event.query = "Gehaltsband von Frau Müller?";
  event.documents = {{17, Acl({"hr"})}, {23, Acl({"everyone", "rnd"})}};
  event.generator = "extractive";
  event.status = "200";
  event.latency_ms = 12.5;
  return event;
}

// Collects what the trail writes.
struct Sink {
  std::mutex mutex;
  std::vector<store::AuditRecord> records;
  AuditWriter Writer() {
    return [this](std::span<const store::AuditRecord> batch) -> Result<void> {
      std::lock_guard lock(mutex);
      records.insert(records.end(), batch.begin(), batch.end());
      return {};
    };
  }
};

TEST(AuditTrailTest, RecordsPseudonymAndHashButNoClearText) {
  Sink sink;
  AuditTrail trail(KeyOf(9), {}, sink.Writer());
  ASSERT_TRUE(trail.Record(SampleEvent("anna")));
  trail.Flush();
  ASSERT_EQ(sink.records.size(), 1u);
  const store::AuditRecord& r = sink.records[0];
  EXPECT_EQ(r.user_pseudonym, KeyOf(9).Pseudonym("anna"));
  EXPECT_EQ(r.query_hash, KeyOf(9).QueryHash("Gehaltsband von Frau Müller?"));
  EXPECT_TRUE(r.question_sealed.empty());
  EXPECT_EQ(r.document_ids, (std::vector<int64_t>{17, 23}));
  EXPECT_EQ(r.document_acls, (std::vector<std::string>{"hr", "everyone,rnd"}));
  EXPECT_EQ(r.action, "ask");
  EXPECT_EQ(r.status, "200");
  EXPECT_EQ(trail.written(), 1u);
  for (const std::string& field : {r.user_pseudonym, r.query_hash, r.generator, r.action}) {
    EXPECT_EQ(field.find("anna"), std::string::npos);
    EXPECT_EQ(field.find("Müller"), std::string::npos);
  }
}

TEST(AuditTrailTest, StoredQuestionIsSealed) {
  Sink sink;
  AuditTrailOptions options;
  options.store_questions = true;
  AuditTrail trail(KeyOf(9), options, sink.Writer());
  trail.Record(SampleEvent("anna"));
  trail.Flush();
  ASSERT_EQ(sink.records.size(), 1u);
  const std::string& sealed = sink.records[0].question_sealed;
  EXPECT_EQ(sealed.find("Müller"), std::string::npos);
  auto question = KeyOf(9).OpenQuestion(sealed);
  ASSERT_TRUE(question);
  EXPECT_EQ(*question, "Gehaltsband von Frau Müller?");
}

TEST(AuditTrailTest, FullQueueDropsAndCountsWithoutBlocking) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> calls{0};
  std::atomic<size_t> written{0};
  AuditTrailOptions options;
  options.queue_size = 2;
  AuditTrail trail(KeyOf(1), options, [&](std::span<const store::AuditRecord> batch) {
    if (calls++ == 0) {
      entered.set_value();
      released.wait();  // the database hangs
    }
    written += batch.size();
    return Result<void>();
  });
  ASSERT_TRUE(trail.Record(SampleEvent("a")));
  entered.get_future().wait();  // the writer holds the first record
  EXPECT_TRUE(trail.Record(SampleEvent("b")));
  EXPECT_TRUE(trail.Record(SampleEvent("c")));
  EXPECT_FALSE(trail.Record(SampleEvent("d")));
  EXPECT_FALSE(trail.Record(SampleEvent("e")));
  EXPECT_EQ(trail.dropped_queue_full(), 2u);
  release.set_value();
  trail.Flush();
  EXPECT_EQ(written.load(), 3u);
  EXPECT_EQ(trail.written(), 3u);
}

TEST(AuditTrailTest, FailedWritesAreCountedAsLost) {
  AuditTrailOptions options;
  options.write_attempts = 1;
  AuditTrail trail(KeyOf(1), options, [](std::span<const store::AuditRecord>) -> Result<void> {
    return Fail(ErrorCode::kUnavailable, "database down");
  });
  trail.Record(SampleEvent("a"));
  trail.Flush();
  EXPECT_EQ(trail.dropped_write_failed(), 1u);
  EXPECT_EQ(trail.written(), 0u);
}

TEST(AuditTrailTest, DestructorWritesWhatIsQueued) {
  Sink sink;
  {
    AuditTrail trail(KeyOf(1), {}, sink.Writer());
    for (int i = 0; i < 100; ++i) trail.Record(SampleEvent("u" + std::to_string(i)));
  }
  EXPECT_EQ(sink.records.size(), 100u);
}

TEST(AuditTrailTest, DisabledTrailRecordsNothing) {
  app::AuditConfig config;
  config.enabled = false;
  auto trail = AuditTrail::Open(config, "this is not used");
  ASSERT_TRUE(trail) << trail.error().message;
  EXPECT_FALSE((*trail)->enabled());
  EXPECT_TRUE((*trail)->Record(SampleEvent("a")));
  (*trail)->Flush();
  EXPECT_EQ((*trail)->written(), 0u);
}

}  // namespace
}  // namespace wissen::server
