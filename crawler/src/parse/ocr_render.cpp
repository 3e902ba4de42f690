// Rendering PDF pages for OCR: the resolution is chosen before rendering, so neither a page
// that claims a huge size nor vector content drawn over and over costs more pixels or time
// than PageOcr's caps allow (see ocr.h).
#include "ocr_render.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>

#include "wissen/crawler/ocr.h"

namespace wissen::crawler {
namespace {

using Clock = std::chrono::steady_clock;

// The resolution a page is rendered at: options.dpi, or less when the page would exceed the
// pixel caps. 0 when the page has no usable size.
double RenderDpi(const poppler::page& page, int dpi) {
  const poppler::rectf box = page.page_rect(poppler::crop_box);
  const double width = std::abs(box.width()) / 72;  // inches
  const double height = std::abs(box.height()) / 72;
  if (!std::isfinite(width) || !std::isfinite(height) || width <= 0 || height <= 0) return 0;
  double result = dpi;
  // Divided, not multiplied, so absurd sizes cannot overflow.
  result = std::min(result,
                    std::sqrt(static_cast<double>(kMaxOcrPagePixels) / width) / std::sqrt(height));
  // One pixel of headroom: poppler rounds the bitmap size.
  result = std::min(result, (kMaxOcrPageSide - 1) / std::max(width, height));
  return std::isfinite(result) ? result : 0;
}

// Below this a page is not worth recognising: nothing sensible can be read at 10 dpi.
constexpr double kMinRenderDpi = 10;

// Rendering cannot be interrupted (poppler-cpp has no abort callback), and for vector content
// its cost grows with the pixels: a 1 MB page that fills itself 60,000 times renders for
// minutes at 300 dpi. So a page is first rendered at kProbeDpi (1/900 of the pixels of
// 300 dpi) and timed; when the full resolution would not fit into half the page's remaining
// time, a second probe at twice the resolution separates the fixed cost (parsing, image
// decoding) from the cost per pixel, and the page is rendered at the resolution that fits,
// or given up when that is below kMinUsefulDpi (Tesseract reads little there).
constexpr double kProbeDpi = 10;
constexpr double kMinUsefulDpi = 70;

using Seconds = std::chrono::duration<double>;

std::string RenderTimeoutMessage(int timeout_ms) {
  return "rendering the page would take longer than the OCR time limit of " +
         std::to_string(timeout_ms) + " ms";
}

// The resolution that renders in `budget` seconds, from probes at kProbeDpi and twice that;
// `dpi` when it fits, 0 when not even the probes do.
double AffordableDpi(const poppler::page_renderer& renderer, const poppler::page& page, double dpi,
                     double budget) {
  const auto time_render = [&](double resolution) {
    const Clock::time_point start = Clock::now();
    (void)renderer.render_page(&page, resolution, resolution);
    return Seconds(Clock::now() - start).count();
  };
  const double scale = (dpi / kProbeDpi) * (dpi / kProbeDpi);
  const double probe = time_render(kProbeDpi);
  if (probe * scale <= budget) return dpi;
  if (probe * 4 > budget) return 0;  // even the second probe would not fit
  const double per_unit = std::max((time_render(2 * kProbeDpi) - probe) / 3, 1e-6);
  const double fixed = std::max(probe - per_unit, 0.0);
  const double affordable = kProbeDpi * std::sqrt(std::max(budget - fixed, 0.0) / per_unit);
  return std::min(dpi, affordable);
}

}  // namespace

Result<PageImage> RenderPage(const poppler::document& doc, int page_number, int dpi,
                             Clock::time_point deadline, int timeout_ms) {
  if (page_number < 1 || page_number > doc.pages()) {
    return Fail(ErrorCode::kInvalidArgument, "the PDF has no such page");
  }
  std::unique_ptr<poppler::page> page(doc.create_page(page_number - 1));
  if (page == nullptr) return Fail(ErrorCode::kParse, "the page cannot be read");
  PageImage image;
  image.dpi = RenderDpi(*page, dpi);
  if (image.dpi == 0) return Fail(ErrorCode::kParse, "the page has no valid size");
  if (image.dpi < kMinRenderDpi) {
    return Fail(ErrorCode::kResourceExhausted, "the page is too large to recognise");
  }
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_gray8);
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  if (image.dpi > 2 * kProbeDpi) {
    const double budget = Seconds(deadline - Clock::now()).count() / 2;
    if (budget <= 0) return Fail(ErrorCode::kTimeout, RenderTimeoutMessage(timeout_ms));
    const double affordable = AffordableDpi(renderer, *page, image.dpi, budget);
    if (affordable < image.dpi && affordable < std::min<double>(dpi, kMinUsefulDpi)) {
      return Fail(ErrorCode::kTimeout, RenderTimeoutMessage(timeout_ms));
    }
    image.dpi = affordable;
  }
  const poppler::image rendered = renderer.render_page(page.get(), image.dpi, image.dpi);
  if (!rendered.is_valid() || rendered.format() != poppler::image::format_gray8 ||
      rendered.width() <= 0 || rendered.height() <= 0 ||
      rendered.bytes_per_row() < rendered.width()) {
    return Fail(ErrorCode::kParse, "the page cannot be rendered");
  }
  image.width = rendered.width();
  image.height = rendered.height();
  // Poppler sizes the bitmap from the same box; this only guards against it ever not doing so.
  if (image.width > kMaxOcrPageSide || image.height > kMaxOcrPageSide ||
      static_cast<long long>(image.width) * image.height > kMaxOcrPagePixels + kMaxOcrPageSide) {
    return Fail(ErrorCode::kResourceExhausted, "the page is too large to recognise");
  }
  const char* data = rendered.const_data();
  const size_t stride = static_cast<size_t>(rendered.bytes_per_row());
  const size_t width = static_cast<size_t>(image.width);
  image.pixels.resize(width * static_cast<size_t>(image.height));
  for (size_t row = 0; row < static_cast<size_t>(image.height); ++row) {
    std::copy_n(data + row * stride, width, image.pixels.data() + row * width);
  }
  return image;
}

// A page without ink: fewer dark pixels than a single full stop has at 300 dpi, so speckles
// of a blank scanned back side do not count either.
bool IsBlank(const PageImage& image) {
  const size_t allowed = std::max<size_t>(16, image.pixels.size() / 200000);
  size_t dark = 0;
  for (const char pixel : image.pixels) {
    if (static_cast<unsigned char>(pixel) < 160 && ++dark > allowed) return false;
  }
  return true;
}

}  // namespace wissen::crawler
