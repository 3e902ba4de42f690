// OCR of PDF pages: poppler renders (ocr_render.cpp), Tesseract recognises. Both run
// in-process on pixels from hostile files, so everything they do is wrapped: their stderr
// chatter is silenced, their exceptions stop at this file, page sizes are capped before
// rendering, and a page over its time limit is cancelled through Tesseract's progress monitor.
// Which pages need OCR is NeedsOcr's call (ocr_text_layer.cpp).
#include "wissen/crawler/ocr.h"

#include <leptonica/allheaders.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#if __has_include(<omp.h>)
#include <omp.h>
#define WISSEN_OCR_HAS_OPENMP 1
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ocr_render.h"
#include "parser_text.h"
#include "wissen/core/text.h"

namespace wissen::crawler {
namespace {

using Clock = std::chrono::steady_clock;

void DropPopplerMessage(const std::string& /*message*/, void* /*closure*/) {}

// Poppler, Tesseract and Leptonica (Tesseract's image library) report every oddity of a
// broken file or a noisy image on stderr, which would flood the structured log; outcomes
// reach the caller as Errors instead. All three settings are process-wide.
void SilenceLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    poppler::set_debug_error_function(DropPopplerMessage, nullptr);
    setMsgSeverity(L_SEVERITY_NONE);
    tesseract::TessBaseAPI api;
    api.SetVariable("debug_file", "/dev/null");
  });
}

// Tesseract's initialisation reads shared files and global parameters; instances are
// initialised one at a time (it happens options.threads times in a PageOcr's life).
std::mutex& TesseractInitMutex() {
  static std::mutex mutex;
  return mutex;
}

bool ValidLanguageCode(std::string_view code) {
  if (code.empty() || code.front() == '/' || code.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '/';
  });
}

std::string DebianPackage(std::string_view code) {
  std::string package = "tesseract-ocr-" + LowerAscii(code);
  std::replace(package.begin(), package.end(), '_', '-');
  return package;
}

std::string MissingLanguagesMessage(const std::vector<std::string>& missing,
                                    const std::string& tessdata_dir) {
  std::string message;
  for (const std::string& code : missing) {
    if (!message.empty()) message += "; ";
    message += "Tesseract language '" + code + "' is not installed";
    message += tessdata_dir.empty() ? " (apt-get install " + DebianPackage(code) + ")"
                                    : " in " + tessdata_dir;
  }
  return message;
}

using Engine = tesseract::TessBaseAPI;

std::unique_ptr<Engine> InitEngine(const OcrOptions& options, const std::string& languages) {
  auto engine = std::make_unique<Engine>();
  const char* datapath = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
  std::lock_guard lock(TesseractInitMutex());
  if (engine->Init(datapath, languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) return nullptr;
  engine->SetPageSegMode(tesseract::PSM_AUTO);
  return engine;
}

// A Tesseract instance with every language of options.languages loaded. Tesseract loads what
// it can and only fails when the first language is missing, so the loaded list is checked.
Result<std::unique_ptr<Engine>> NewEngine(const OcrOptions& options) {
  const std::vector<std::string> wanted = SplitNonEmpty(options.languages, '+');
  std::unique_ptr<Engine> engine = InitEngine(options, options.languages);
  std::vector<std::string> missing;
  if (engine != nullptr) {
    std::vector<std::string> loaded;
    engine->GetLoadedLanguagesAsVector(&loaded);
    for (const std::string& code : wanted) {
      if (std::find(loaded.begin(), loaded.end(), code) == loaded.end()) missing.push_back(code);
    }
    if (missing.empty()) return engine;
  } else {
    // Which one: try each alone (only on this failure path; it costs an Init each).
    for (const std::string& code : wanted) {
      if (InitEngine(options, code) == nullptr) missing.push_back(code);
    }
    if (missing.empty()) {
      return Fail(ErrorCode::kUnavailable,
                  "Tesseract cannot load the languages '" + options.languages + "'");
    }
  }
  return Fail(ErrorCode::kUnavailable, MissingLanguagesMessage(missing, options.tessdata_dir));
}

std::string ValidateOptions(const OcrOptions& options) {
  const std::vector<std::string> codes = SplitNonEmpty(options.languages, '+');
  if (codes.empty()) return "OCR languages are empty";
  for (const std::string& code : codes) {
    if (!ValidLanguageCode(code)) return "OCR language '" + code + "' is not a language code";
  }
  if (options.threads < 0 || options.threads > 256) return "OCR threads must be 0 to 256";
  if (options.page_timeout_ms <= 0) return "OCR page timeout must be positive";
  if (options.dpi < 30 || options.dpi > 1200) return "OCR dpi must be 30 to 1200";
  if (options.max_pages < 1) return "OCR max_pages must be at least 1";
  return "";
}

std::string PageHash(const PageImage& image, const std::string& languages) {
  const std::string header = "wissen-ocr-1\n" + languages + "\n" + std::to_string(image.width) +
                             "x" + std::to_string(image.height) + "\n";
  return Sha256Hex(header + Sha256Hex(image.pixels));
}

struct Deadline {
  Clock::time_point at;
  bool passed = false;
};

// Tesseract asks after every word whether to stop.
bool CancelWhenLate(void* closure, int /*words*/) {
  auto* deadline = static_cast<Deadline*>(closure);
  if (Clock::now() > deadline->at) deadline->passed = true;
  return deadline->passed;
}

std::string TimeoutMessage(int timeout_ms) {
  return "the page took longer than the OCR time limit of " + std::to_string(timeout_ms) + " ms";
}

// Tesseract parallelises within a page through OpenMP (4 threads in the LSTM), which spins
// on the cores the other pages' workers need: with two workers on two cores that halves the
// throughput. Pages are the unit of parallelism here, so Tesseract runs single-threaded in
// the workers. OpenMP's settings are per thread; the caller's are restored.
class SingleThreadedOpenMp {
 public:
#ifdef WISSEN_OCR_HAS_OPENMP
  SingleThreadedOpenMp() : dynamic_(omp_get_dynamic()), threads_(omp_get_max_threads()) {
    omp_set_dynamic(1);  // lets OpenMP give a region fewer threads than Tesseract asks for
    omp_set_num_threads(1);
  }
  ~SingleThreadedOpenMp() {
    omp_set_num_threads(threads_);
    omp_set_dynamic(dynamic_);
  }

 private:
  int dynamic_;
  int threads_;
#endif
};

struct TextDeleter {
  void operator()(char* text) const { delete[] text; }
};

// Recognises one rendered page on `engine` and leaves the engine cleared for the next page.
Result<std::string> Recognize(Engine& engine, const PageImage& image, Clock::time_point deadline,
                              int timeout_ms) {
  engine.SetImage(reinterpret_cast<const unsigned char*>(image.pixels.data()), image.width,
                  image.height, /*bytes_per_pixel=*/1, /*bytes_per_line=*/image.width);
  engine.SetSourceResolution(std::max(1, static_cast<int>(std::lround(image.dpi))));
  Deadline state{deadline};
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = &CancelWhenLate;
  monitor.cancel_this = &state;
  const int status = engine.Recognize(&monitor);
  if (state.passed) {
    engine.Clear();
    return Fail(ErrorCode::kTimeout, TimeoutMessage(timeout_ms));
  }
  if (status != 0) {
    engine.Clear();
    return Fail(ErrorCode::kInternal, "Tesseract could not recognise the page");
  }
  const std::unique_ptr<char, TextDeleter> text(engine.GetUTF8Text());
  engine.Clear();
  if (text == nullptr) return std::string();
  return CleanPdfText(SanitizeUtf8(text.get()));
}

}  // namespace

// The Tesseract instances of one PageOcr: at most `capacity`, created when needed, each lent
// to one page at a time.
class PageOcr::Engines {
 public:
  Engines(OcrOptions options, size_t capacity)
      : options_(std::move(options)), capacity_(capacity) {}

  // An engine lent out; it returns to the pool when the lease ends, unless discarded.
  class Lease {
   public:
    Lease(Engines* owner, std::unique_ptr<Engine> engine)
        : owner_(owner), engine_(std::move(engine)) {}
    Lease(Lease&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)), engine_(std::move(other.engine_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (owner_ != nullptr) owner_->Return(std::move(engine_));
    }
    Engine& engine() { return *engine_; }
    // After an exception inside Tesseract the instance's state is unknown: it is dropped and
    // a fresh one created when needed.
    void Discard() { engine_.reset(); }

   private:
    Engines* owner_;
    std::unique_ptr<Engine> engine_;
  };

  void Add(std::unique_ptr<Engine> engine) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(engine));
    ++created_;
  }

  // Waits until an engine is idle or another may be created.
  Result<Lease> Acquire() {
    {
      std::unique_lock lock(mutex_);
      available_.wait(lock, [this] { return !idle_.empty() || created_ < capacity_; });
      if (!idle_.empty()) {
        std::unique_ptr<Engine> engine = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(engine));
      }
      ++created_;
    }
    Result<std::unique_ptr<Engine>> engine;
    try {
      engine = NewEngine(options_);
    } catch (...) {
      engine = Fail(ErrorCode::kResourceExhausted, "Tesseract could not be started");
    }
    if (!engine) {
      Return(nullptr);
      return Fail(engine.error());
    }
    return Lease(this, std::move(*engine));
  }

 private:
  void Return(std::unique_ptr<Engine> engine) {
    {
      std::lock_guard lock(mutex_);
      if (engine != nullptr) {
        idle_.push_back(std::move(engine));
      } else {
        --created_;
      }
    }
    available_.notify_one();
  }

  const OcrOptions options_;
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Engine>> idle_;
  size_t created_ = 0;
};

PageOcr::PageOcr(OcrOptions options, OcrCache* cache, std::unique_ptr<Engines> engines)
    : options_(std::move(options)), cache_(cache), engines_(std::move(engines)) {}
PageOcr::PageOcr(PageOcr&&) noexcept = default;
PageOcr& PageOcr::operator=(PageOcr&&) noexcept = default;
PageOcr::~PageOcr() = default;

Result<PageOcr> PageOcr::Create(const OcrOptions& options, OcrCache* cache) {
  if (std::string problem = ValidateOptions(options); !problem.empty()) {
    return Fail(ErrorCode::kConfig, std::move(problem));
  }
  SilenceLibraries();
  OcrOptions resolved = options;
  if (resolved.threads == 0) {
    resolved.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  try {
    Result<std::unique_ptr<Engine>> engine = NewEngine(resolved);
    if (!engine) return Fail(engine.error());
    auto engines = std::make_unique<Engines>(resolved, static_cast<size_t>(resolved.threads));
    engines->Add(std::move(*engine));
    return PageOcr(std::move(resolved), cache, std::move(engines));
  } catch (const std::bad_alloc&) {
    return Fail(ErrorCode::kResourceExhausted, "out of memory while starting Tesseract");
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable, std::string("Tesseract failed to start: ") + e.what());
  }
}

namespace {

// What one worker thread keeps between pages: its own poppler document.
struct WorkerDocument {
  std::unique_ptr<poppler::document> doc;
  std::optional<Error> error;  // the document could not be loaded
};

Result<const poppler::document*> LoadOnce(std::string_view pdf_bytes, WorkerDocument& worker) {
  if (worker.doc == nullptr && !worker.error) {
    if (pdf_bytes.size() > static_cast<size_t>(INT_MAX)) {
      worker.error = Error{ErrorCode::kResourceExhausted, "PDF larger than 2 GiB"};
    } else {
      // load_from_raw_data reads the bytes in place; they outlive the worker.
      worker.doc.reset(poppler::document::load_from_raw_data(pdf_bytes.data(),
                                                             static_cast<int>(pdf_bytes.size())));
      if (worker.doc == nullptr) {
        worker.error = Error{ErrorCode::kParse, "not a readable PDF"};
      } else if (worker.doc->is_locked()) {
        worker.error = Error{ErrorCode::kUnsupported, "encrypted PDF"};
      }
    }
  }
  if (worker.error) return Fail(*worker.error);
  return worker.doc.get();
}

std::optional<std::string> FindInCache(OcrCache* cache, const std::string& key,
                                       const std::string& document_hash) {
  try {
    std::optional<std::string> text = cache->Find(key, document_hash);
    if (text && !IsValidUtf8(*text)) text = SanitizeUtf8(*text);
    return text;
  } catch (...) {
    return std::nullopt;
  }
}

void StoreInCache(OcrCache* cache, const std::string& key, const std::string& document_hash,
                  const std::string& text) {
  try {
    cache->Store(key, document_hash, text);
  } catch (...) {  // best effort: the page is recognised again next time
  }
}

}  // namespace

std::vector<PageOcr::PageText> PageOcr::RecognizePdfPages(std::string_view pdf_bytes,
                                                          const std::vector<int>& pages) const {
  std::vector<PageText> results;
  results.reserve(pages.size());
  for (const int page : pages) {
    results.push_back({page, Fail(ErrorCode::kInternal, "the page was not recognised")});
  }
  if (engines_ == nullptr) return results;  // moved from: a caller's bug, reported per page
  const size_t limit = std::min(pages.size(), static_cast<size_t>(options_.max_pages));
  for (size_t i = limit; i < pages.size(); ++i) {
    results[i].text =
        Fail(ErrorCode::kResourceExhausted,
             "more than " + std::to_string(options_.max_pages) + " pages of the document need OCR");
  }

  // The cache remembers which documents have a page, so it can forget deleted ones.
  const std::string document_hash = cache_ != nullptr ? Sha256Hex(pdf_bytes) : std::string();
  const auto recognize_page = [&](WorkerDocument& worker, int page_number) -> Result<std::string> {
    const Clock::time_point start = Clock::now();
    Clock::time_point deadline = start + std::chrono::milliseconds(options_.page_timeout_ms);
    Result<const poppler::document*> doc = LoadOnce(pdf_bytes, worker);
    if (!doc) return Fail(doc.error());
    Result<PageImage> image =
        RenderPage(**doc, page_number, options_.dpi, deadline, options_.page_timeout_ms);
    if (!image) return Fail(image.error());
    if (IsBlank(*image)) return std::string();
    std::string key;
    if (cache_ != nullptr) {
      key = PageHash(*image, options_.languages);
      if (std::optional<std::string> text = FindInCache(cache_, key, document_hash)) {
        return std::move(*text);
      }
    }
    if (Clock::now() > deadline) {
      return Fail(ErrorCode::kTimeout, TimeoutMessage(options_.page_timeout_ms));
    }
    const Clock::time_point waiting = Clock::now();
    Result<Engines::Lease> lease = engines_->Acquire();
    if (!lease) return Fail(lease.error());
    deadline += Clock::now() - waiting;
    Result<std::string> text;
    try {
      text = Recognize(lease->engine(), *image, deadline, options_.page_timeout_ms);
    } catch (...) {
      lease->Discard();
      throw;
    }
    if (text && cache_ != nullptr) StoreInCache(cache_, key, document_hash, *text);
    return text;
  };

  std::atomic<size_t> next{0};
  const auto work = [&] {
    const SingleThreadedOpenMp single_threaded;
    WorkerDocument worker;
    for (size_t i = next++; i < limit; i = next++) {
      Result<std::string>& text = results[i].text;
      try {
        text = recognize_page(worker, pages[i]);
      } catch (const std::bad_alloc&) {
        text = Fail(ErrorCode::kResourceExhausted, "out of memory while recognising the page");
      } catch (const std::exception& e) {
        text = Fail(ErrorCode::kInternal, std::string("unexpected error: ") + e.what());
      } catch (...) {
        text = Fail(ErrorCode::kInternal, "unexpected error");
      }
    }
  };
  // The calling thread works too; helpers that cannot be started only cost parallelism.
  const size_t helpers = std::min(static_cast<size_t>(options_.threads), limit);
  std::vector<std::jthread> threads;
  try {
    threads.reserve(helpers);
    for (size_t i = 1; i < helpers; ++i) threads.emplace_back(work);
  } catch (...) {  // std::system_error: no more threads (ulimit), or bad_alloc
  }
  work();
  threads.clear();  // joins: the helpers may still be writing their last page's result
  return results;
}

}  // namespace wissen::crawler
