// DocumentSink: how the crawler hands documents to the indexer without depending on it.
// app/src/crawl/crawl_run.cpp wires a crawler to an indexer through this interface.
#pragma once

#include <cstdint>

#include "wissen/core/document.h"
#include "wissen/core/result.h"

namespace wissen {

class DocumentSink {
 public:
  virtual ~DocumentSink() = default;

  // Stores a new or changed document with its parsed content, replacing any previous
  // version (old chunks go in the same transaction). Errors leave the stored version intact.
  virtual Result<void> Put(const DocumentInfo& info, const ParsedDocument& parsed) = 0;

  // Records metadata of a document whose content is unchanged: a new ACL, mtime or size.
  virtual Result<void> Touch(int64_t document_id, const DocumentInfo& info) = 0;

  // Marks a document deleted: it is unretrievable from this call on.
  virtual Result<void> Delete(int64_t document_id) = 0;
};

}  // namespace wissen
