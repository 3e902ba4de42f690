// Word (.docx): paragraphs by style into heading sections, tables into table blocks, and
// footnotes, endnotes, comments and text boxes after the paragraph that anchors them.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ooxml_parts.h"

namespace wissen::crawler {
namespace {

constexpr int kMaxStyleChain = 16;

constexpr char kWordMime[] =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

// w:outlineLvl: 0-8 are heading levels 1-9, 9 is body text.
int OutlineLevel(std::string_view value) {
  int level = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), level);
  if (ec != std::errc() || level < 0) return 0;
  return level <= 8 ? level + 1 : 0;
}

// Paragraph styles from word/styles.xml: which are headings (of what level) and the title.
class WordStyles {
 public:
  void Read(std::string_view xml, std::string_view part, BlockBuilder* builder) {
    XmlReader reader(xml, part);
    Style* style = nullptr;
    while (reader.Next()) {
      if (reader.event() == XmlReader::Event::kEnd) {
        if (reader.Is(Ns::kWord, "style")) style = nullptr;
        continue;
      }
      if (reader.event() != XmlReader::Event::kStart || reader.ns() != Ns::kWord) continue;
      const std::string_view name = reader.name();
      if (name == "style") {
        const std::string type = reader.Attr(Ns::kWord, "type").value_or("paragraph");
        const auto id = reader.Attr(Ns::kWord, "styleId");
        if (type != "paragraph" || !id || styles_.size() >= kMaxStyles) {
          reader.Skip();
          continue;
        }
        style = &styles_.try_emplace(*id).first->second;
      } else if (name == "pPrChange" || name == "rPr" || name == "tblPr") {
        reader.Skip();
      } else if (style != nullptr && name == "name") {
        style->name = reader.Attr(Ns::kWord, "val").value_or("");
      } else if (style != nullptr && name == "basedOn") {
        style->based_on = reader.Attr(Ns::kWord, "val").value_or("");
      } else if (style != nullptr && name == "outlineLvl") {
        style->outline_level = OutlineLevel(reader.Attr(Ns::kWord, "val").value_or(""));
      }
    }
    builder->Warn(PartWarning(reader));
  }

  // Heading level 1-9 of a paragraph style, 0 for body text: the style's outline level,
  // else its name or id, else the style it is based on.
  int Level(const std::string& id) const {
    std::string current = id;
    for (int hop = 0; hop < kMaxStyleChain && !current.empty(); ++hop) {
      auto it = styles_.find(current);
      if (it == styles_.end()) return HeadingLevelOfStyleName(current);
      const Style& style = it->second;
      if (style.outline_level >= 0) return style.outline_level;
      if (int level = HeadingLevelOfStyleName(style.name); level > 0) return level;
      if (int level = HeadingLevelOfStyleName(current); level > 0) return level;
      current = style.based_on;
    }
    return 0;
  }

  bool IsTitle(const std::string& id) const {
    if (id.empty()) return false;
    auto it = styles_.find(id);
    return IsTitleStyleName(id) || (it != styles_.end() && IsTitleStyleName(it->second.name));
  }

 private:
  struct Style {
    std::string name;
    std::string based_on;
    int outline_level = -1;  // -1: not set; 0: body text; 1-9: heading level
  };
  std::unordered_map<std::string, Style> styles_;
};

// What HandleRunContent did with a start tag.
enum class RunContent {
  kNone,     // nothing: the caller handles the element
  kSkipped,  // skipped with its content and end tag
  kHandled,  // text appended to the paragraph; the end tag follows
};

// Shared by the body and the notes: run-level content of WordprocessingML.
RunContent HandleRunContent(XmlReader& reader, bool in_run, std::string* raw, size_t cap) {
  if (reader.Is(Ns::kCompatibility, "Fallback")) {  // the same content as mc:Choice
    reader.Skip();
    return RunContent::kSkipped;
  }
  if (reader.ns() != Ns::kWord) return RunContent::kNone;
  const std::string_view name = reader.name();
  // Deleted and moved-away text, field codes, properties and embedded objects: not content.
  if (name == "del" || name == "moveFrom" || name == "instrText" || name == "delText" ||
      name == "delInstrText" || name == "pPrChange" || name == "rPrChange" || name == "rPr" ||
      name == "sectPr" || name == "tblPr" || name == "trPr" || name == "tcPr" ||
      name == "tblGrid" || name == "fldData" || name == "object" || name == "tabs") {
    reader.Skip();
    return RunContent::kSkipped;
  }
  if (!in_run) return RunContent::kNone;
  if (name == "tab" || name == "ptab") {
    AppendText(raw, " ", cap);
  } else if (name == "br" || name == "cr") {
    AppendLineBreak(raw, cap);
  } else if (name == "noBreakHyphen") {
    AppendText(raw, "-", cap);
  } else {
    return RunContent::kNone;
  }
  return RunContent::kHandled;
}

// Footnotes, endnotes or comments by id, each as raw text with a line per paragraph.
std::unordered_map<std::string, std::string> ReadWordNotes(std::string_view xml,
                                                           std::string_view part,
                                                           std::string_view element,
                                                           BlockBuilder* builder) {
  std::unordered_map<std::string, std::string> notes;
  XmlReader reader(xml, part);
  std::string* note = nullptr;
  size_t total = 0;
  int run_depth = 0;
  bool in_text = false;
  while (reader.Next()) {
    const auto event = reader.event();
    if (event == XmlReader::Event::kText) {
      if (note != nullptr && in_text) AppendText(note, reader.text(), builder->budget());
      continue;
    }
    if (event == XmlReader::Event::kEnd) {
      if (reader.ns() != Ns::kWord) continue;
      if (reader.name() == element && note != nullptr) {
        total += note->size();
        note = nullptr;
      } else if (reader.name() == "p" && note != nullptr && !note->empty()) {
        AppendLineBreak(note, builder->budget());
      } else if (reader.name() == "r") {
        --run_depth;
      } else if (reader.name() == "t") {
        in_text = false;
      }
      continue;
    }
    std::string outside;  // run content outside any note: dropped
    if (HandleRunContent(reader, run_depth > 0, note != nullptr ? note : &outside,
                         builder->budget()) != RunContent::kNone) {
      continue;  // the end tags that follow are not "r", "t", "p" or the note's
    }
    if (reader.ns() != Ns::kWord) continue;
    if (reader.name() == element) {
      const auto id = reader.Attr(Ns::kWord, "id");
      if (!id || total >= kMaxDocumentTextBytes) {
        reader.Skip();
        continue;
      }
      note = &notes[*id];
      note->clear();
    } else if (reader.name() == "r") {
      ++run_depth;
    } else if (reader.name() == "t") {
      in_text = true;
    }
  }
  builder->Warn(PartWarning(reader));
  return notes;
}

// word/document.xml's body: paragraphs by style into sections, tables into table blocks.
// Text boxes, footnotes, endnotes and (optionally) comments follow the paragraph that holds
// or references them.
class WordBody {
 public:
  WordBody(const WordStyles& styles, BlockBuilder* builder) : styles_(styles), builder_(builder) {}

  std::unordered_map<std::string, std::string> footnotes;
  std::unordered_map<std::string, std::string> endnotes;
  std::unordered_map<std::string, std::string> comments;

  void Read(XmlReader& reader) {
    while (reader.Next()) {
      switch (reader.event()) {
        case XmlReader::Event::kStart:
          Start(reader);
          break;
        case XmlReader::Event::kText:
          if (!open_.empty() && open_.back() == kText && !paragraphs_.empty()) {
            AppendText(&paragraphs_.back().raw, reader.text(), builder_->budget());
          }
          break;
        case XmlReader::Event::kEnd:
          End();
          break;
      }
    }
  }

 private:
  enum Tag : uint8_t { kOther, kParagraph, kTable, kRow, kCell, kRun, kText, kSdt };

  struct Paragraph {
    std::string raw;
    std::string style;
    int outline_level = -1;  // from the paragraph's own w:outlineLvl
    int table_depth = 0;
    std::vector<std::string> after;  // notes, comments and text boxes, in order
  };

  void Start(XmlReader& reader) {
    std::string outside;  // run content outside any paragraph: dropped
    std::string* raw = paragraphs_.empty() ? &outside : &paragraphs_.back().raw;
    const bool in_run = !open_.empty() && open_.back() == kRun;
    switch (HandleRunContent(reader, in_run, raw, builder_->budget())) {
      case RunContent::kSkipped:
        return;
      case RunContent::kHandled:
        open_.push_back(kOther);  // for its end tag
        return;
      case RunContent::kNone:
        break;
    }
    Tag tag = kOther;
    if (reader.ns() == Ns::kWord) {
      const std::string_view name = reader.name();
      if (name == "p") {
        paragraphs_.emplace_back();
        paragraphs_.back().table_depth = table_depth_;
        tag = kParagraph;
      } else if (name == "r") {
        tag = kRun;
      } else if (name == "t") {
        tag = kText;
      } else if (name == "pStyle" && !paragraphs_.empty()) {
        paragraphs_.back().style = reader.Attr(Ns::kWord, "val").value_or("");
      } else if (name == "outlineLvl" && !paragraphs_.empty()) {
        paragraphs_.back().outline_level = OutlineLevel(reader.Attr(Ns::kWord, "val").value_or(""));
      } else if (name == "footnoteReference") {
        AddNote(footnotes, reader.Attr(Ns::kWord, "id"));
      } else if (name == "endnoteReference") {
        AddNote(endnotes, reader.Attr(Ns::kWord, "id"));
      } else if (name == "commentReference") {
        AddNote(comments, reader.Attr(Ns::kWord, "id"));
      } else if (name == "tbl") {
        if (++table_depth_ == 1) builder_->BeginTable();
        tag = kTable;
      } else if (name == "tr") {
        tag = kRow;
      } else if (name == "tc") {
        tag = kCell;
      } else if (name == "sdt") {
        toc_.push_back(false);
        tag = kSdt;
      } else if (name == "docPartGallery" && !toc_.empty()) {
        toc_.back() = reader.Attr(Ns::kWord, "val").value_or("").contains("Table of Contents");
      } else if (name == "sdtContent" && !toc_.empty() && toc_.back()) {
        reader.Skip();  // a table of contents repeats the headings
        return;
      }
    }
    open_.push_back(tag);
  }

  void AddNote(std::unordered_map<std::string, std::string>& notes,
               const std::optional<std::string>& id) {
    if (!id || paragraphs_.empty()) return;
    auto it = notes.find(*id);
    if (it == notes.end()) return;
    paragraphs_.back().after.push_back(std::move(it->second));
    notes.erase(it);  // a note referenced twice is text once
  }

  void End() {
    if (open_.empty()) return;
    const Tag tag = open_.back();
    open_.pop_back();
    switch (tag) {
      case kParagraph:
        EndParagraph();
        break;
      case kTable:
        if (table_depth_ == 1) builder_->EndTable();
        if (table_depth_ > 0) --table_depth_;
        break;
      case kRow:
        if (table_depth_ == 1) builder_->EndRow();
        break;
      case kCell:
        if (table_depth_ == 1) {
          builder_->Cell(cell_);
          cell_.clear();
        } else {
          AppendText(&cell_, " ", builder_->budget());  // a nested table flows into its cell
        }
        break;
      case kSdt:
        if (!toc_.empty()) toc_.pop_back();
        break;
      default:
        break;
    }
  }

  void EndParagraph() {
    if (paragraphs_.empty()) return;
    Paragraph paragraph = std::move(paragraphs_.back());
    paragraphs_.pop_back();
    const size_t cap = builder_->budget();
    if (paragraph.table_depth > 0) {
      AppendText(&cell_, paragraph.raw, cap);
      for (const std::string& text : paragraph.after) {
        AppendText(&cell_, " ", cap);
        AppendText(&cell_, text, cap);
      }
      AppendText(&cell_, " ", cap);
      return;
    }
    if (!paragraphs_.empty()) {  // a text box inside another paragraph
      Paragraph& outer = paragraphs_.back();
      outer.after.push_back(std::move(paragraph.raw));
      for (std::string& text : paragraph.after) outer.after.push_back(std::move(text));
      return;
    }
    int level =
        paragraph.outline_level >= 0 ? paragraph.outline_level : styles_.Level(paragraph.style);
    if (level > 0) {
      builder_->Heading(level, paragraph.raw);
    } else if (styles_.IsTitle(paragraph.style)) {
      builder_->TitleParagraph(paragraph.raw);
    } else {
      builder_->Paragraph(paragraph.raw);
    }
    for (const std::string& text : paragraph.after) builder_->Paragraph(text);
  }

  const WordStyles& styles_;
  BlockBuilder* builder_;
  std::vector<Tag> open_;
  std::vector<Paragraph> paragraphs_;
  std::vector<bool> toc_;  // per open w:sdt: whether it is a table of contents
  int table_depth_ = 0;
  std::string cell_;
};

}  // namespace

Result<ParsedDocument> ParseWord(ZipReader& zip, const std::string& main,
                                 const ParseOptions& options, ParsedDocument* parsed,
                                 BlockBuilder* builder) {
  parsed->mime = kWordMime;
  auto relationships = ReadRelationships(zip, main, builder);
  if (!relationships) return Fail(relationships.error());
  const auto part_of = [&](std::string_view kind, std::string_view fallback) {
    const Relationship* r = FindKind(*relationships, kind);
    return r != nullptr ? r->target : std::string(fallback);
  };

  WordStyles styles;
  const std::string styles_part = part_of("styles", "word/styles.xml");
  auto styles_xml = ReadOptionalPart(zip, styles_part, builder);
  if (!styles_xml) return Fail(styles_xml.error());
  if (styles_xml->has_value()) styles.Read(**styles_xml, styles_part, builder);

  WordBody body(styles, builder);
  struct NotesPart {
    std::string_view kind;
    std::string_view fallback;
    std::string_view element;
    std::unordered_map<std::string, std::string>* notes;
  };
  std::vector<NotesPart> notes_parts = {
      {"footnotes", "word/footnotes.xml", "footnote", &body.footnotes},
      {"endnotes", "word/endnotes.xml", "endnote", &body.endnotes}};
  if (options.office_comments) {
    notes_parts.push_back({"comments", "word/comments.xml", "comment", &body.comments});
  }
  for (const NotesPart& notes : notes_parts) {
    const std::string part = part_of(notes.kind, notes.fallback);
    auto xml = ReadOptionalPart(zip, part, builder);
    if (!xml) return Fail(xml.error());
    if (xml->has_value()) *notes.notes = ReadWordNotes(**xml, part, notes.element, builder);
  }

  auto xml = ReadMainPart(zip, main, builder);
  if (!xml) return Fail(xml.error());
  XmlReader reader(*xml, main);
  body.Read(reader);
  return FinishDocument(reader, builder, parsed);
}

}  // namespace wissen::crawler
