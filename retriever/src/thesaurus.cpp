#include "wissen/retriever/thesaurus.h"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <fstream>
#include <future>
#include <optional>
#include <span>
#include <system_error>
#include <tuple>
#include <unordered_map>

#include "wissen/core/log.h"
#include "wissen/core/stop_words.h"

namespace wissen::retriever {
namespace {
namespace fs = std::filesystem;

// WordNet parts of speech, in the order of their files. German words all use kNoun.
enum Pos : uint8_t { kNoun = 0, kVerb = 1, kAdj = 2, kAdv = 3 };
constexpr std::array<std::string_view, 4> kPosNames = {"noun", "verb", "adj", "adv"};

// Rank of a word in a synset it may be looked up by but never offered from: archaic,
// regional, vulgar or figurative German entries. A question may use them; documents rarely do.
constexpr uint8_t kKeyOnly = 255;
// WordNet senses kept per word and part of speech; the options cannot ask for more.
constexpr uint8_t kKeptSenses = 4;
constexpr int kMinWordLetters = 4;

// Word w's place in synset s: for WordNet, s is w's rank-th most frequent sense (0 = first);
// for OpenThesaurus the rank is 0 for a "Hauptform", 1 plain, 2 colloquial or technical.
struct Link {
  uint32_t word = 0;
  uint32_t synset = 0;
  uint8_t rank = 0;
  uint8_t pos = kNoun;
  uint16_t count = 0;  // WordNet: times w was seen in sense s in the SemCor corpus
};

// Words and synsets of one language in flat arrays: the English WordNet is ~120k words, and
// node-based maps of strings would need several times the memory.
struct Lexicon {
  std::string pool;                 // all words, sorted, back to back
  std::vector<uint32_t> ends;       // word i is pool[ends[i-1], ends[i])
  std::vector<uint32_t> degree;     // synsets the word is in (all senses, all parts of speech)
  std::vector<uint32_t> frequency;  // WordNet: times seen in SemCor, all senses: how common
  std::vector<uint8_t> pos_mask;    // parts of speech the word has
  std::vector<uint32_t> word_begin;
  std::vector<Link> by_word;  // grouped by word, then pos, then rank
  std::vector<uint32_t> synset_begin;
  std::vector<Link> by_synset;  // grouped by synset
  bool has_counts = false;      // whether Link::count is known (WordNet with cntlist.rev)
  // English irregular forms (noun.exc, ...): inflected form, base form, part of speech.
  std::vector<std::tuple<std::string, std::string, uint8_t>> exceptions;

  size_t size() const { return ends.size(); }
  std::string_view Word(uint32_t id) const {
    const uint32_t begin = id == 0 ? 0 : ends[id - 1];
    return std::string_view(pool).substr(begin, ends[id] - begin);
  }
  std::optional<uint32_t> Find(std::string_view word) const {
    uint32_t low = 0, high = static_cast<uint32_t>(size());
    while (low < high) {
      const uint32_t mid = low + (high - low) / 2;
      if (Word(mid) < word) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    if (low < size() && Word(low) == word) return low;
    return std::nullopt;
  }
  bool Has(std::string_view word, uint8_t pos) const {
    const auto id = Find(word);
    return id && (pos_mask[*id] & (1u << pos));
  }
  std::span<const Link> Senses(uint32_t word) const {
    return std::span(by_word).subspan(word_begin[word], word_begin[word + 1] - word_begin[word]);
  }
  std::span<const Link> Members(uint32_t synset) const {
    return std::span(by_synset).subspan(synset_begin[synset],
                                        synset_begin[synset + 1] - synset_begin[synset]);
  }
};

// Collects words as views into buffers it keeps alive, then builds a Lexicon. Words are
// interned in a hash map as they come and sorted once at the end; links are grouped by
// counting sort, which keeps their insertion order (WordNet's sense order) within a group.
class LexiconBuilder {
 public:
  std::string& NewBuffer() { return buffers_.emplace_back(); }
  std::string_view Own(std::string word) { return owned_.emplace_back(std::move(word)); }
  uint32_t NewSynset() { return synsets_++; }

  void AddLink(std::string_view word, uint32_t synset, uint8_t rank, uint8_t pos) {
    AddLink(Intern(word), synset, rank, pos);
  }
  void AddLink(uint32_t id, uint32_t synset, uint8_t rank, uint8_t pos) {
    links_.push_back({id, synset, rank, pos, 0});
    pos_mask_[id] |= 1u << pos;
    if (!has_stats_) ++degree_[id];
  }
  // WordNet knows every word's full sense count; other sources count the links. Returns the
  // word's id for AddLink.
  uint32_t AddSenses(std::string_view word, uint8_t pos, uint32_t senses) {
    has_stats_ = true;
    const uint32_t id = Intern(word);
    degree_[id] += senses;
    pos_mask_[id] |= 1u << pos;
    return id;
  }
  void Reserve(size_t words, size_t links) {
    ids_.reserve(words);
    words_.reserve(words);
    links_.reserve(links);
  }
  // How often `word` was seen in its rank-th sense of `pos` (WordNet's cntlist).
  void AddCount(std::string_view word, uint8_t pos, uint8_t rank, uint32_t count) {
    const auto it = ids_.find(word);
    if (it == ids_.end()) return;
    has_counts_ = true;
    frequency_[it->second] += count;
    if (rank < kKeptSenses) counts_.push_back({it->second, 0, rank, pos, ClampCount(count)});
  }
  void AddException(std::string_view form, std::string_view base, uint8_t pos) {
    exceptions_.emplace_back(std::string(form), std::string(base), pos);
  }

  Lexicon Build() {
    const size_t n = words_.size();
    std::vector<uint32_t> order(n);
    for (uint32_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [this](uint32_t a, uint32_t b) { return words_[a] < words_[b]; });
    std::vector<uint32_t> final_id(n);
    Lexicon lexicon;
    size_t bytes = 0;
    for (std::string_view word : words_) bytes += word.size();
    lexicon.pool.reserve(bytes);
    lexicon.ends.reserve(n);
    lexicon.degree.resize(n);
    lexicon.frequency.resize(n);
    lexicon.pos_mask.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t old = order[i];
      final_id[old] = i;
      lexicon.pool += words_[old];
      lexicon.ends.push_back(static_cast<uint32_t>(lexicon.pool.size()));
      lexicon.degree[i] = degree_[old];
      lexicon.frequency[i] = frequency_[old];
      lexicon.pos_mask[i] = pos_mask_[old];
    }
    for (Link& link : links_) link.word = final_id[link.word];
    lexicon.by_word = GroupBy(links_, n, &Link::word, &lexicon.word_begin);
    for (const Link& count : counts_) {
      const uint32_t word = final_id[count.word];
      for (uint32_t i = lexicon.word_begin[word]; i < lexicon.word_begin[word + 1]; ++i) {
        Link& link = lexicon.by_word[i];
        if (link.pos == count.pos && link.rank == count.rank) link.count = count.count;
      }
    }
    lexicon.by_synset = GroupBy(lexicon.by_word, synsets_, &Link::synset, &lexicon.synset_begin);
    std::sort(exceptions_.begin(), exceptions_.end());
    lexicon.exceptions = std::move(exceptions_);
    lexicon.has_counts = has_counts_;
    return lexicon;
  }

 private:
  static uint16_t ClampCount(uint32_t count) {
    return static_cast<uint16_t>(std::min<uint32_t>(count, UINT16_MAX));
  }

  uint32_t Intern(std::string_view word) {
    const auto [it, inserted] = ids_.try_emplace(word, static_cast<uint32_t>(words_.size()));
    if (inserted) {
      words_.push_back(word);
      degree_.push_back(0);
      frequency_.push_back(0);
      pos_mask_.push_back(0);
    }
    return it->second;
  }

  // Stable counting sort of `links` into `groups` groups; `starts` gets groups+1 offsets.
  static std::vector<Link> GroupBy(const std::vector<Link>& links, size_t groups,
                                   uint32_t Link::*key, std::vector<uint32_t>* starts) {
    starts->assign(groups + 1, 0);
    for (const Link& link : links) ++(*starts)[link.*key + 1];
    for (size_t i = 1; i < starts->size(); ++i) (*starts)[i] += (*starts)[i - 1];
    std::vector<uint32_t> next(starts->begin(), starts->end() - 1);
    std::vector<Link> grouped(links.size());
    for (const Link& link : links) grouped[next[link.*key]++] = link;
    return grouped;
  }

  std::deque<std::string> buffers_;  // deque: views into the strings stay valid
  std::deque<std::string> owned_;
  std::unordered_map<std::string_view, uint32_t> ids_;
  std::vector<std::string_view> words_;
  std::vector<uint32_t> degree_;
  std::vector<uint32_t> frequency_;
  std::vector<uint8_t> pos_mask_;
  bool has_stats_ = false;
  bool has_counts_ = false;
  std::vector<Link> links_;
  std::vector<Link> counts_;
  uint32_t synsets_ = 0;
  std::vector<std::tuple<std::string, std::string, uint8_t>> exceptions_;
};

// ---- Text helpers ----

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
}

std::string Lower(std::string_view text) {
  std::string out;
  if (IsAscii(text)) {
    out.reserve(text.size());
    for (char c : text) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
  }
  icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())))
      .toLower(icu::Locale::getRoot())
      .toUTF8String(out);
  return out;
}

// Letters in `word` when every code point is a letter, else 0.
int LetterCount(std::string_view word) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(word.data());
  const int32_t length = static_cast<int32_t>(word.size());
  int letters = 0;
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0 || !u_isalpha(c)) return 0;
    ++letters;
  }
  return letters;
}

// Lower-cased words of `text` in order; tokens with digits inside are dropped (identifiers,
// numbers), and apostrophes and hyphens split words as in the lexical index.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t start = -1;
  bool has_digit = false;
  const auto finish = [&](int32_t end) {
    if (start >= 0 && !has_digit) words.push_back(Lower(text.substr(start, end - start)));
    start = -1;
  };
  for (int32_t i = 0; i < length;) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    const bool digit = c >= 0 && u_isdigit(c);
    if (c >= 0 && (u_isalpha(c) || digit || (U_GET_GC_MASK(c) & U_GC_M_MASK))) {
      if (start < 0) start = at, has_digit = false;
      has_digit = has_digit || digit;
    } else {
      finish(at);
    }
  }
  finish(length);
  return words;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// Splits on one character into `fields` (reused across lines: no allocation per line); empty
// fields are kept so positions stay meaningful.
void Split(std::string_view text, char separator, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    fields.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

uint32_t ParseUint(std::string_view text) {
  uint32_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value;
}

// The whole file, nullopt when it does not exist. Errors: kIo when it exists but cannot be read.
Result<std::optional<std::string>> ReadFile(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    log::Warn("thesaurus_file_missing", {{"path", path.string()}});
    return std::optional<std::string>();
  }
  std::ifstream in(path, std::ios::binary);
  const auto size = fs::file_size(path, error);
  std::string content(error ? 0 : size, '\0');
  if (!in || error || !in.read(content.data(), static_cast<std::streamsize>(content.size()))) {
    return Fail(ErrorCode::kIo, "cannot read thesaurus file " + path.string());
  }
  return std::optional<std::string>(std::move(content));
}

// ---- WordNet ----

// index.<pos>: "lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offset..."
// with the offsets in order of sense frequency (wndb(5)). Lines starting with a space are
// the license. Only single-word lemmas are kept: a query word can only match one of those.
void ParseWordNetIndex(std::string_view text, uint8_t pos,
                       std::unordered_map<uint32_t, uint32_t>& synset_ids,
                       LexiconBuilder& builder) {
  std::vector<std::string_view> fields;
  for (std::string_view line : SplitLines(text)) {
    if (line.empty() || line.front() == ' ') continue;
    Split(Trim(line), ' ', fields);
    if (fields.size() < 6 || LetterCount(fields[0]) == 0) continue;
    const uint32_t synset_count = ParseUint(fields[2]);
    const size_t pointer_count = ParseUint(fields[3]);
    const size_t tagged_at = 4 + pointer_count + 1;
    if (tagged_at + 1 + synset_count != fields.size()) continue;  // malformed
    const uint32_t word = builder.AddSenses(fields[0], pos, synset_count);
    for (uint32_t rank = 0; rank < synset_count && rank < kKeptSenses; ++rank) {
      const uint32_t key =
          (static_cast<uint32_t>(pos) << 28) | ParseUint(fields[tagged_at + 1 + rank]);
      auto [it, inserted] = synset_ids.try_emplace(key, 0);
      if (inserted) it->second = builder.NewSynset();
      builder.AddLink(word, it->second, static_cast<uint8_t>(rank), pos);
    }
  }
}

// <pos>.exc: "inflected base [base...]", e.g. "mice mouse".
void ParseWordNetExceptions(std::string_view text, uint8_t pos, LexiconBuilder& builder) {
  std::vector<std::string_view> fields;
  for (std::string_view line : SplitLines(text)) {
    Split(Trim(line), ' ', fields);
    if (fields.size() < 2 || LetterCount(fields[0]) == 0) continue;
    for (size_t i = 1; i < fields.size(); ++i) {
      if (LetterCount(fields[i]) > 0) {
        builder.AddException(fields[0], fields[i], pos);
      }
    }
  }
}

// cntlist.rev: "sense_key sense_number tag_cnt", e.g. "file%2:32:02:: 1 50": how often a
// lemma was seen in each sense in the SemCor corpus. The part of speech is the digit after
// '%' (1 noun, 2 verb, 3 adjective, 4 adverb, 5 adjective satellite).
void ParseWordNetCounts(std::string_view text, LexiconBuilder& builder) {
  std::vector<std::string_view> fields;
  for (std::string_view line : SplitLines(text)) {
    Split(Trim(line), ' ', fields);
    if (fields.size() != 3) continue;
    const size_t percent = fields[0].find('%');
    if (percent == std::string_view::npos || percent + 1 >= fields[0].size()) continue;
    const char type = fields[0][percent + 1];
    if (type < '1' || type > '5') continue;
    const uint8_t pos = type == '5' ? uint8_t{kAdj} : static_cast<uint8_t>(type - '1');
    const uint32_t sense = ParseUint(fields[1]);
    if (sense == 0 || sense > 255) continue;
    builder.AddCount(fields[0].substr(0, percent), pos, static_cast<uint8_t>(sense - 1),
                     ParseUint(fields[2]));
  }
}

Result<bool> LoadWordNet(const fs::path& dir, LexiconBuilder& builder) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    log::Warn("thesaurus_file_missing", {{"path", dir.string()}});
    return false;
  }
  std::unordered_map<uint32_t, uint32_t> synset_ids;
  synset_ids.reserve(120000);  // WordNet 3.0 has 117,659 synsets, 147,306 words
  builder.Reserve(150000, 200000);
  bool any = false;
  for (uint8_t pos = kNoun; pos <= kAdv; ++pos) {
    auto index = ReadFile(dir / ("index." + std::string(kPosNames[pos])));
    if (!index) return Fail(index.error());
    if (*index) {
      any = true;
      ParseWordNetIndex(builder.NewBuffer() = std::move(**index), pos, synset_ids, builder);
    }
    const fs::path exc_path = dir / (std::string(kPosNames[pos]) + ".exc");
    if (!fs::exists(exc_path, error)) continue;  // optional: only improves lemmatization
    auto exceptions = ReadFile(exc_path);
    if (!exceptions) return Fail(exceptions.error());
    if (*exceptions) ParseWordNetExceptions(**exceptions, pos, builder);
  }
  // Optional too: without it synonyms are ranked by sense order alone.
  if (any && fs::exists(dir / "cntlist.rev", error)) {
    auto counts = ReadFile(dir / "cntlist.rev");
    if (!counts) return Fail(counts.error());
    if (*counts) ParseWordNetCounts(**counts, builder);
  }
  return any;
}

// ---- OpenThesaurus ----

// Labels that make an entry unfit to offer as a synonym: documents rarely use archaic,
// regional, vulgar or figurative words, and foreign ones are mostly Latin or French.
constexpr std::array<std::string_view, 24> kKeyOnlyLabels = {
    "veraltet",      "veraltend",   "derb",        "vulg.",  "scherzh.", "abwertend",
    "regional",      "österr.",     "schweiz.",    "selten", "fig.",     "ironisch",
    "sarkastisch",   "lat.",        "franz.",      "Jargon", "salopp",   "Slang",
    "Kindersprache", "Babysprache", "norddeutsch", "süddt.", "bayr.",    "historisch"};
constexpr std::array<std::string_view, 4> kMarkedLabels = {"ugs.", "fachspr.", "engl.", "geh."};

// One ';'-separated entry: "Lohn (Hauptform)", "abdüsen (ugs.)", "(sich) freuen". Returns the
// word without parenthesized parts and its rank; an empty word for multi-word entries.
std::pair<std::string_view, uint8_t> ParseOpenThesaurusEntry(std::string_view entry) {
  uint8_t rank = 1;
  std::string_view word;
  int words = 0;
  while (!entry.empty()) {
    entry = Trim(entry);
    if (entry.empty()) break;
    if (entry.front() == '(') {
      const size_t close = entry.find(')');
      const std::string_view inner =
          entry.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
      std::vector<std::string_view> labels;
      Split(inner, ',', labels);
      for (std::string_view label : labels) {
        label = Trim(label);
        if (label == "Hauptform") rank = std::min<uint8_t>(rank, 0);
        if (std::find(kMarkedLabels.begin(), kMarkedLabels.end(), label) != kMarkedLabels.end()) {
          rank = std::max<uint8_t>(rank, 2);
        }
        if (std::find(kKeyOnlyLabels.begin(), kKeyOnlyLabels.end(), label) !=
            kKeyOnlyLabels.end()) {
          rank = kKeyOnly;
        }
      }
      if (close == std::string_view::npos) break;
      entry.remove_prefix(close + 1);
      continue;
    }
    size_t end = 0;
    while (end < entry.size() && entry[end] != ' ' && entry[end] != '(') ++end;
    word = entry.substr(0, end);
    ++words;
    entry.remove_prefix(end);
  }
  if (words != 1 || LetterCount(word) == 0) return {{}, rank};
  return {word, rank};
}

Result<bool> LoadOpenThesaurus(const fs::path& file, LexiconBuilder& builder) {
  auto content = ReadFile(file);
  if (!content) return Fail(content.error());
  if (!*content) return false;
  const std::string& text = builder.NewBuffer() = std::move(**content);
  std::vector<std::string_view> entries;
  std::vector<std::pair<std::string_view, uint8_t>> members;
  for (std::string_view line : SplitLines(text)) {
    if (line.empty() || line.front() == '#') continue;
    members.clear();
    Split(line, ';', entries);
    for (std::string_view entry : entries) {
      auto [word, rank] = ParseOpenThesaurusEntry(entry);
      if (!word.empty()) members.emplace_back(word, rank);
    }
    if (members.size() < 2) continue;  // a synset of one word offers nothing
    const uint32_t synset = builder.NewSynset();
    for (const auto& [word, rank] : members) {
      builder.AddLink(IsAscii(word) && std::all_of(word.begin(), word.end(),
                                                   [](char c) { return c < 'A' || c > 'Z'; })
                          ? word
                          : builder.Own(Lower(word)),
                      synset, rank, kNoun);
    }
  }
  return true;
}

// ---- Expansion ----

// A query word's entry in the lexicon under one part of speech.
struct Key {
  uint32_t word;
  uint8_t pos;
};

// WordNet's morphy(7WN) in short: the word itself where WordNet has it, otherwise its
// irregular base forms (mice → mouse) or the base forms the suffix rules give (files → file).
std::vector<Key> EnglishKeys(const Lexicon& lexicon, const std::string& word) {
  struct Rule {
    uint8_t pos;
    std::string_view suffix, ending;
  };
  static constexpr std::array<Rule, 20> kRules = {{
      {kNoun, "s", ""},      {kNoun, "ses", "s"},   {kNoun, "xes", "x"},   {kNoun, "zes", "z"},
      {kNoun, "ches", "ch"}, {kNoun, "shes", "sh"}, {kNoun, "men", "man"}, {kNoun, "ies", "y"},
      {kVerb, "s", ""},      {kVerb, "ies", "y"},   {kVerb, "es", "e"},    {kVerb, "es", ""},
      {kVerb, "ed", "e"},    {kVerb, "ed", ""},     {kVerb, "ing", "e"},   {kVerb, "ing", ""},
      {kAdj, "er", ""},      {kAdj, "est", ""},     {kAdj, "er", "e"},     {kAdj, "est", "e"},
  }};
  std::vector<Key> keys;
  if (const auto id = lexicon.Find(word)) {
    for (uint8_t pos = kNoun; pos <= kAdv; ++pos) {
      if (lexicon.pos_mask[*id] & (1u << pos)) keys.push_back({*id, pos});
    }
    return keys;
  }
  const auto add = [&](std::string_view base, uint8_t pos) {
    const auto id = lexicon.Find(base);
    if (!id || !(lexicon.pos_mask[*id] & (1u << pos))) return false;
    for (const Key& key : keys) {
      if (key.word == *id && key.pos == pos) return true;
    }
    keys.push_back({*id, pos});
    return true;
  };
  std::array<bool, 4> found = {};
  auto exception = std::lower_bound(
      lexicon.exceptions.begin(), lexicon.exceptions.end(), word,
      [](const auto& entry, const std::string& form) { return std::get<0>(entry) < form; });
  for (; exception != lexicon.exceptions.end() && std::get<0>(*exception) == word; ++exception) {
    const auto& [form, base, pos] = *exception;
    found[pos] = add(base, pos) || found[pos];
  }
  for (const Rule& rule : kRules) {
    if (found[rule.pos] || !word.ends_with(rule.suffix)) continue;
    std::string base = word.substr(0, word.size() - rule.suffix.size());
    base += rule.ending;
    if (LetterCount(base) >= 3) found[rule.pos] = add(base, rule.pos);
  }
  return keys;
}

// German: the word itself, else the word without a common inflection ending, when that
// shorter form is in the thesaurus (Kennworts → Kennwort, Dateien → Datei).
std::vector<Key> GermanKeys(const Lexicon& lexicon, const std::string& word) {
  if (const auto id = lexicon.Find(word)) return {{*id, kNoun}};
  for (std::string_view ending : {"en", "n", "e", "s", "er", "es", "ern", "em"}) {
    if (!word.ends_with(ending)) continue;
    const std::string_view stem = std::string_view(word).substr(0, word.size() - ending.size());
    if (LetterCount(stem) < kMinWordLetters) continue;
    if (const auto id = lexicon.Find(stem)) return {{*id, kNoun}};
  }
  return {};
}

struct Candidate {
  uint32_t word;
  int cost;            // lower is better: how far from the first senses / the main form
  int shared;          // synsets shared with the query word
  int64_t documents;   // documents using the word, when known
  uint32_t frequency;  // how common the word is in general English
};

// Synonyms of one query word, best first.
std::vector<uint32_t> Synonyms(const Lexicon& lexicon, std::span<const Key> keys, bool german,
                               const ThesaurusOptions& options,
                               const DocumentFrequency& document_frequency) {
  std::vector<Candidate> candidates;
  for (const Key& key : keys) {
    const std::span<const Link> senses = lexicon.Senses(key.word);
    if (german && static_cast<int>(senses.size()) > options.max_german_senses) continue;
    for (const Link& sense : senses) {
      if (sense.pos != key.pos) continue;
      if (!german && sense.rank >= options.wordnet_senses) continue;
      for (const Link& member : lexicon.Members(sense.synset)) {
        if (member.word == key.word || member.rank == kKeyOnly) continue;
        if (!german && (member.rank >= options.wordnet_synonym_senses ||
                        (lexicon.has_counts && member.count < options.min_synonym_count))) {
          continue;
        }
        if (german && member.rank > options.german_max_rank) continue;
        if (static_cast<int>(lexicon.degree[member.word]) > options.max_synonym_degree) continue;
        if (LetterCount(lexicon.Word(member.word)) < kMinWordLetters - 1) continue;
        const int cost = german ? member.rank : sense.rank + member.rank;
        auto it = std::find_if(candidates.begin(), candidates.end(),
                               [&](const Candidate& c) { return c.word == member.word; });
        if (it == candidates.end()) {
          int64_t documents = 0;
          if (document_frequency) {
            documents = document_frequency(lexicon.Word(member.word));
            if (documents <= 0) continue;
          }
          candidates.push_back({member.word, cost, 1, documents, lexicon.frequency[member.word]});
        } else {
          it->cost = std::min(it->cost, cost);
          ++it->shared;
        }
      }
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.cost, b.shared, b.documents, b.frequency, a.word) <
           std::tie(b.cost, a.shared, a.documents, a.frequency, b.word);
  });
  std::vector<uint32_t> words;
  for (const Candidate& candidate : candidates) words.push_back(candidate.word);
  return words;
}

}  // namespace

struct Thesaurus::Impl {
  ThesaurusOptions options;
  Lexicon english;
  Lexicon german;
};

Thesaurus::Thesaurus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Thesaurus::~Thesaurus() = default;

Result<std::unique_ptr<Thesaurus>> Thesaurus::Load(const ThesaurusOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.wordnet_senses = std::clamp<int>(options.wordnet_senses, 1, kKeptSenses);
  impl->options.wordnet_synonym_senses =
      std::clamp<int>(options.wordnet_synonym_senses, 1, kKeptSenses);
  // The two languages load in parallel: the CLI loads the thesaurus on every run. (With both
  // launch flags, a failure to start a thread falls back to loading on this one.)
  using Loader = Result<bool> (*)(const fs::path&, LexiconBuilder&);
  const auto load = [](const fs::path& path, Loader loader) -> Result<Lexicon> {
    if (path.empty()) return Lexicon();
    LexiconBuilder builder;
    auto loaded = loader(path, builder);
    if (!loaded) return Fail(loaded.error());
    return *loaded ? builder.Build() : Lexicon();
  };
  auto german = std::async(std::launch::async | std::launch::deferred, load,
                           options.openthesaurus_file, &LoadOpenThesaurus);
  auto english = load(options.wordnet_dir, &LoadWordNet);
  auto german_loaded = german.get();
  if (!english) return Fail(english.error());
  if (!german_loaded) return Fail(german_loaded.error());
  impl->english = std::move(*english);
  impl->german = std::move(*german_loaded);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  log::Debug("thesaurus_loaded", {{"english_words", impl->english.size()},
                                  {"german_words", impl->german.size()},
                                  {"ms", elapsed.count()}});
  return std::unique_ptr<Thesaurus>(new Thesaurus(std::move(impl)));
}

size_t Thesaurus::WordCount(std::string_view language) const {
  return language == "de" ? impl_->german.size() : impl_->english.size();
}

std::vector<std::string> Thesaurus::Expand(std::string_view query, std::string_view language,
                                           int max_terms,
                                           const DocumentFrequency& document_frequency) const {
  const bool german = language == "de";
  const Lexicon& lexicon = german ? impl_->german : impl_->english;
  if (max_terms <= 0 || lexicon.size() == 0) return {};

  const std::vector<std::string> words = Words(query);
  std::vector<std::string> excluded = words;  // the query's words and their base forms
  std::vector<std::vector<uint32_t>> synonyms;
  std::vector<std::string> expanded_words;  // the word each entry of `synonyms` belongs to
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (std::find(words.begin(), words.begin() + i, word) != words.begin() + i) continue;
    if (LetterCount(word) < kMinWordLetters || IsTooGeneralToExpand(word)) continue;
    const std::vector<Key> keys = german ? GermanKeys(lexicon, word) : EnglishKeys(lexicon, word);
    for (const Key& key : keys) excluded.emplace_back(lexicon.Word(key.word));
    synonyms.push_back(Synonyms(lexicon, keys, german, impl_->options, document_frequency));
    expanded_words.push_back(word);
  }

  // The words to expand first are those the documents use least: a word no document contains
  // ("Erfolgsbeteiligung" where the policy says "Bonus") can only match through a synonym,
  // and a rare word says more about what is asked than a common one. Without document
  // frequencies the query's order stands.
  std::vector<size_t> order(synonyms.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (document_frequency) {
    std::vector<int64_t> frequency(order.size());
    for (size_t i = 0; i < order.size(); ++i) frequency[i] = document_frequency(expanded_words[i]);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return frequency[a] < frequency[b]; });
  }

  // Round robin over the query's words, so one word with many synonyms cannot crowd out the
  // others' best ones.
  std::vector<std::string> expansions;
  std::vector<size_t> next(synonyms.size(), 0);
  std::vector<int> taken(synonyms.size(), 0);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i : order) {
      if (static_cast<int>(expansions.size()) >= max_terms) return expansions;
      while (taken[i] < impl_->options.max_per_word && next[i] < synonyms[i].size()) {
        std::string word(lexicon.Word(synonyms[i][next[i]++]));
        if (std::find(excluded.begin(), excluded.end(), word) != excluded.end() ||
            std::find(expansions.begin(), expansions.end(), word) != expansions.end()) {
          continue;
        }
        expansions.push_back(std::move(word));
        ++taken[i];
        progress = true;
        break;
      }
    }
  }
  return expansions;
}

}  // namespace wissen::retriever
