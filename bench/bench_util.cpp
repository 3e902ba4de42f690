#include "bench_util.h"

#include <malloc.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

namespace wissen::bench {
namespace fs = std::filesystem;

std::string Fmt(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  const int size = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out(size > 0 ? static_cast<size_t>(size) : 0, '\0');
  if (size > 0) std::vsnprintf(out.data(), out.size() + 1, format, args);
  va_end(args);
  return out;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, double(values.size()))) - 1;
  return values[index];
}

double Mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6)) * 1024;  // "... kB"
  }
  return 0;
}

void TrimHeap() { malloc_trim(0); }

namespace {

std::string FirstLineValue(const char* file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key)) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t begin = line.find_first_not_of(" \t", colon + 1);
    return begin == std::string::npos ? "" : line.substr(begin);
  }
  return "";
}

}  // namespace

std::string MachineSummary() {
  const std::string cpu = FirstLineValue("/proc/cpuinfo", "model name");
  const std::string mem = FirstLineValue("/proc/meminfo", "MemTotal");
  const double gib = mem.empty() ? 0 : std::stod(mem) / (1024.0 * 1024.0);
  std::ifstream loadavg("/proc/loadavg");
  std::string l1, l5, l15;
  loadavg >> l1 >> l5 >> l15;
  return Fmt("%u cores (nproc), %s, %.1f GiB RAM, load average at start %s %s %s",
             std::thread::hardware_concurrency(), cpu.c_str(), gib, l1.c_str(), l5.c_str(),
             l15.c_str());
}

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text;
}

std::string CommandLine(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i == 0) arg = fs::path(arg).filename().string();
    if (!line.empty()) line += ' ';
    line += arg.find(' ') == std::string::npos ? arg : "'" + arg + "'";
  }
  return line;
}

Result<fs::path> MakeTempDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Fail(ErrorCode::kIo, "cannot create a temp directory " + pattern);
  }
  if (::chmod(pattern.c_str(), 0755) != 0) {
    return Fail(ErrorCode::kIo, "cannot chmod " + pattern);
  }
  return fs::path(pattern);
}

fs::path DefaultResultsFile(const std::string& name) {
  return fs::path(WISSEN_SOURCE_DIR) / "bench" / "results" / name;
}

Result<void> AppendResults(const fs::path& file, const std::string& title,
                           const std::string& section) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  const bool fresh = !fs::exists(file, ec) || fs::file_size(file, ec) == 0;
  std::ofstream out(file, std::ios::app);
  if (!out) return Fail(ErrorCode::kIo, "cannot write " + file.string());
  if (fresh) out << title << "\n";
  out << "\n" << section;
  if (!out) return Fail(ErrorCode::kIo, "cannot write " + file.string());
  return {};
}

int64_t DirectoryBytes(const fs::path& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto size = it->file_size(size_ec);
      if (!size_ec) total += static_cast<int64_t>(size);
    }
  }
  return total;
}

}  // namespace wissen::bench
