// The layout of an index directory (<data.dir>/index), the one place that names its parts:
//
//   vectors/              the vector partitions (VectorIndex), one folder per generation
//   vectors/CURRENT       one line naming the live generation; replaced atomically when a
//                         crawl publishes, after the lexical index has committed
//   lexical/              the Xapian database (LexicalIndex); compacted copies sit beside it
//                         as lexical.000001, ... (see lexical_layout.h)
//   lexical.current       one line naming the live lexical copy, if compaction made one
//
// The indexer writes this layout, the retriever loads it and IndexHolder watches its two
// pointer files.
#pragma once

#include <filesystem>

namespace wissen::store::index_layout {

// The file inside a vector root that names the live generation.
inline constexpr const char* kVectorPointerName = "CURRENT";

inline std::filesystem::path VectorRoot(const std::filesystem::path& index_root) {
  return index_root / "vectors";
}
inline std::filesystem::path LexicalRoot(const std::filesystem::path& index_root) {
  return index_root / "lexical";
}
// <index_root>/vectors/CURRENT
inline std::filesystem::path VectorPointerFile(const std::filesystem::path& index_root) {
  return VectorRoot(index_root) / kVectorPointerName;
}
// <lexical_root>.current, the pointer to the live copy of the lexical database at that root.
inline std::filesystem::path LexicalPointerOf(const std::filesystem::path& lexical_root) {
  std::filesystem::path pointer = lexical_root;
  pointer += ".current";
  return pointer;
}
// <index_root>/lexical.current
inline std::filesystem::path LexicalPointerFile(const std::filesystem::path& index_root) {
  return LexicalPointerOf(LexicalRoot(index_root));
}

}  // namespace wissen::store::index_layout
