// Thesaurus: synonyms for query expansion, so a question finds documents that use other words
// for the same thing ("Kennwort" → "Passwort", "duplicate" → "copy").
//
// English synonyms come from WordNet 3.0 (Debian `wordnet-base`), German ones from
// OpenThesaurus (Debian `openthesaurus-de-text`). Both are optional: a missing file leaves
// that language without synonyms. Expansion favours precision over recall, because a wrong
// synonym pulls unrelated chunks into BM25: only the one or two most frequent senses of an
// English word are used, only synonyms for which that sense is among their own most frequent
// ones, and neither very generic words nor archaic, regional or figurative German entries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::retriever {

struct ThesaurusOptions {
  // WordNet database directory (index.noun, ..., noun.exc, ...). Empty: no English synonyms.
  // Default: /usr/share/wordnet (Debian wordnet-base).
  std::filesystem::path wordnet_dir = "/usr/share/wordnet";
  // OpenThesaurus text file: one synset a line, words separated by ';'. Empty: no German
  // synonyms. Default: /usr/share/openthesaurus-de/openthesaurus.txt (openthesaurus-de-text).
  std::filesystem::path openthesaurus_file = "/usr/share/openthesaurus-de/openthesaurus.txt";
  // WordNet senses of a query word that are expanded, most frequent first. Default: 2.
  int wordnet_senses = 2;
  // A WordNet synonym is offered only when the shared sense is among its own first this many
  // senses ("file" → "data file", never "copy" → "written matter" via a rare sense). Default: 2.
  int wordnet_synonym_senses = 2;
  // Synonyms offered per query word. Default: 3.
  int max_per_word = 3;
  // A WordNet synonym must have been seen at least this often in the shared sense in the
  // SemCor corpus (cntlist.rev; ignored without that file): drops rare words ("playscript",
  // "hebdomadal"). Default: 1.
  int min_synonym_count = 1;
  // German entries offered as synonyms: 0 only main forms ("Hauptform"), 1 also unmarked
  // words, 2 also colloquial, technical, English and elevated ones. Default: 1.
  int german_max_rank = 1;
  // Words in more synsets than this are too generic to offer as synonyms ("take", "machen").
  // Default: 12.
  int max_synonym_degree = 12;
  // German words in more synsets than this are too ambiguous to expand: without sense
  // frequencies in OpenThesaurus, every sense would be expanded. Default: 3.
  int max_german_senses = 3;
};

// How many documents use a word (lower-cased), e.g. the lexical index's document frequency of
// its stem. 0 drops the word: a synonym no document uses would only take a useful one's place.
using DocumentFrequency = std::function<int64_t(std::string_view word)>;

// Immutable after Load; thread-safe.
class Thesaurus {
 public:
  // Loads the files `options` names. A missing file is logged as a warning and skipped, so
  // with neither file the result is an empty thesaurus, not an error.
  // Errors: kIo when a file exists but cannot be read.
  static Result<std::unique_ptr<Thesaurus>> Load(const ThesaurusOptions& options);
  ~Thesaurus();

  // Up to `max_terms` lower-cased single-word synonyms of the content words of `query`, best
  // first, never a word (or the base form of a word) of the query itself. `language` is "de"
  // or "en"; anything else is treated as English, like the lexical index does.
  // `document_frequency`, when set, drops synonyms no document uses and, among equally good
  // ones, prefers those the documents use most (OpenThesaurus has no word frequencies); the
  // query's words are then expanded rarest first (a word no document uses can match only
  // through a synonym), else in the query's order. It is called on the calling thread.
  std::vector<std::string> Expand(std::string_view query, std::string_view language, int max_terms,
                                  const DocumentFrequency& document_frequency = {}) const;

  // Distinct words known for a language ("de" or "en"); 0 when its file was not loaded.
  size_t WordCount(std::string_view language) const;

 private:
  struct Impl;
  explicit Thesaurus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wissen::retriever
