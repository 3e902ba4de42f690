// PowerPoint (.pptx): a block per slide in show order, titled by its title placeholder, with
// its tables, speaker notes and (optionally) comments.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ooxml_parts.h"

namespace wissen::crawler {
namespace {

constexpr char kPowerPointMime[] =
    "application/vnd.openxmlformats-officedocument.presentationml.presentation";

// Collects a slide's or a notes page's shapes: the title placeholder, text paragraphs and
// tables, in the order of the shape tree. Slide numbers, dates, footers and the notes
// page's slide image are left out.
class SlideReader {
 public:
  SlideReader(SlideContent* slide, bool notes, size_t budget)
      : slide_(slide), notes_(notes), budget_(budget) {}

  void Read(XmlReader& reader) {
    while (reader.Next()) {
      switch (reader.event()) {
        case XmlReader::Event::kStart:
          Start(reader);
          break;
        case XmlReader::Event::kText:
          if (in_text_) AppendText(&paragraph_, reader.text(), Cap());
          break;
        case XmlReader::Event::kEnd:
          End(reader);
          break;
      }
    }
  }

 private:
  enum class Shape { kBody, kTitle, kSkipped };

  size_t Cap() const { return budget_ - std::min(budget_, slide_->bytes); }

  void Start(XmlReader& reader) {
    if (reader.Is(Ns::kCompatibility, "Fallback")) {
      reader.Skip();
    } else if (reader.Is(Ns::kPresentation, "sp")) {
      shape_ = Shape::kBody;
    } else if (reader.Is(Ns::kPresentation, "ph")) {
      const std::string type = reader.Attr(Ns::kNone, "type").value_or("body");
      if (type == "title" || type == "ctrTitle") {
        shape_ = (notes_ || !slide_->title.empty()) ? Shape::kBody : Shape::kTitle;
      } else if (type == "sldNum" || type == "dt" || type == "ftr" || type == "hdr" ||
                 type == "sldImg") {
        shape_ = Shape::kSkipped;
      }
    } else if (reader.Is(Ns::kPresentation, "txBody") && shape_ == Shape::kSkipped) {
      reader.Skip();
    } else if (reader.ns() == Ns::kDrawing) {
      const std::string_view name = reader.name();
      if (name == "tbl") {
        ++table_depth_;
        if (table_depth_ == 1) table_.clear();
      } else if (name == "tr" && table_depth_ == 1) {
        table_.emplace_back();
      } else if (name == "tc" && table_depth_ == 1) {
        cell_.clear();
      } else if (name == "p") {
        paragraph_.clear();
      } else if (name == "t") {
        in_text_ = true;
      } else if (name == "br") {
        AppendLineBreak(&paragraph_, Cap());
      }
    }
  }

  void End(XmlReader& reader) {
    if (reader.Is(Ns::kPresentation, "sp")) {
      shape_ = Shape::kBody;
      return;
    }
    if (reader.ns() != Ns::kDrawing) return;
    const std::string_view name = reader.name();
    if (name == "t") {
      in_text_ = false;
    } else if (name == "p") {
      EndParagraph();
    } else if (name == "tc" && table_depth_ == 1 && !table_.empty()) {
      slide_->bytes += cell_.size();
      table_.back().push_back(std::move(cell_));
      cell_.clear();
    } else if (name == "tbl" && table_depth_ > 0 && --table_depth_ == 0) {
      SlideContent::Item item;
      item.rows = std::move(table_);
      table_.clear();
      if (!item.rows.empty()) slide_->items.push_back(std::move(item));
    }
  }

  void EndParagraph() {
    if (table_depth_ > 0) {
      AppendText(&cell_, paragraph_, Cap());
      AppendText(&cell_, " ", Cap());
    } else if (shape_ == Shape::kTitle) {
      if (!title_.empty()) title_ += ' ';
      title_ += paragraph_;
      slide_->title = title_;
    } else if (!paragraph_.empty()) {
      slide_->bytes += paragraph_.size();
      if (notes_) {
        slide_->notes.push_back(std::move(paragraph_));
      } else {
        slide_->items.push_back({std::move(paragraph_), {}});
      }
    }
    paragraph_.clear();
  }

  SlideContent* slide_;
  bool notes_;
  size_t budget_;
  Shape shape_ = Shape::kBody;
  bool in_text_ = false;
  int table_depth_ = 0;
  std::string paragraph_;
  std::string title_;
  std::string cell_;
  std::vector<std::vector<std::string>> table_;
};

// Comments on a slide: classic (p:cm/p:text) and modern (p188:cm with DrawingML text).
void ReadSlideComments(std::string_view xml, std::string_view part, SlideContent* slide,
                       BlockBuilder* builder) {
  XmlReader reader(xml, part);
  std::string comment;
  bool in_text = false;
  while (reader.Next()) {
    const bool text_element = reader.Is(Ns::kPresentation, "text") || reader.Is(Ns::kDrawing, "t");
    const bool comment_element = reader.name() == "cm" && (reader.ns() == Ns::kPresentation ||
                                                           reader.ns() == Ns::kPowerPointComments);
    switch (reader.event()) {
      case XmlReader::Event::kStart:
        if (text_element) in_text = true;
        if (reader.Is(Ns::kDrawing, "p")) AppendText(&comment, " ", builder->budget());
        break;
      case XmlReader::Event::kText:
        if (in_text) AppendText(&comment, reader.text(), builder->budget());
        break;
      case XmlReader::Event::kEnd:
        if (text_element) in_text = false;
        if (comment_element) {
          slide->bytes += comment.size();
          slide->comments.push_back(std::move(comment));
          comment.clear();
        }
        break;
    }
  }
  builder->Warn(PartWarning(reader));
}

}  // namespace

Result<ParsedDocument> ParsePowerPoint(ZipReader& zip, const std::string& main,
                                       const ParseOptions& options, ParsedDocument* parsed,
                                       BlockBuilder* builder) {
  parsed->mime = kPowerPointMime;
  auto relationships = ReadRelationships(zip, main, builder);
  if (!relationships) return Fail(relationships.error());
  auto xml = ReadMainPart(zip, main, builder);
  if (!xml) return Fail(xml.error());
  XmlReader reader(*xml, main);
  std::vector<std::string> slides;
  while (reader.Next()) {
    if (reader.event() == XmlReader::Event::kStart && reader.Is(Ns::kPresentation, "sldId")) {
      const Relationship* r =
          FindId(*relationships, reader.Attr(Ns::kRelationships, "id").value_or(""));
      if (r != nullptr && r->kind == "slide") slides.push_back(r->target);
    }
  }

  int number = 0;
  for (const std::string& part : slides) {
    ++number;
    if (builder->full()) break;
    auto slide_xml = ReadOptionalPart(zip, part, builder);
    if (!slide_xml) return Fail(slide_xml.error());
    if (!slide_xml->has_value()) continue;
    SlideContent slide;
    {
      XmlReader slide_reader(**slide_xml, part);
      SlideReader(&slide, /*notes=*/false, builder->budget()).Read(slide_reader);
      builder->Warn(PartWarning(slide_reader));
    }
    auto slide_relationships = ReadRelationships(zip, part, builder);
    if (!slide_relationships) return Fail(slide_relationships.error());
    for (const Relationship& r : *slide_relationships) {
      const bool notes = r.kind == "notesSlide";
      if (!notes && !(r.kind == "comments" && options.office_comments)) continue;
      auto part_xml = ReadOptionalPart(zip, r.target, builder);
      if (!part_xml) return Fail(part_xml.error());
      if (!part_xml->has_value()) continue;
      if (notes) {
        XmlReader notes_reader(**part_xml, r.target);
        SlideReader(&slide, /*notes=*/true, builder->budget()).Read(notes_reader);
        builder->Warn(PartWarning(notes_reader));
      } else {
        ReadSlideComments(**part_xml, r.target, &slide, builder);
      }
    }
    if (parsed->title.empty() && number == 1) parsed->title = MakeTitle(slide.title);
    EmitSlide(slide, number, builder);
  }
  return FinishDocument(reader, builder, parsed);
}

}  // namespace wissen::crawler
