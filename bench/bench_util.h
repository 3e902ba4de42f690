// Small helpers shared by the benchmarks: timing, percentiles, the machine description, a
// temp directory the embedded PostgreSQL may use, and the Markdown results file.
// Not part of the product; not thread-safe unless noted.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "wissen/core/result.h"

namespace wissen::bench {

// Wall-clock stopwatch (steady clock).
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  double Millis() const { return Seconds() * 1e3; }

 private:
  std::chrono::steady_clock::time_point start_;
};

// printf-style formatting into a std::string (g++ 12 has no std::format).
std::string Fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));

// The p-th percentile (0..100) by nearest rank; 0 for an empty list.
double Percentile(std::vector<double> values, double p);
double Mean(const std::vector<double>& values);

// User + system CPU time of this process (all its threads, not PostgreSQL's), in seconds.
double ProcessCpuSeconds();

// Resident set size of this process (VmRSS), in bytes.
int64_t ResidentBytes();

// Returns freed heap pages to the system so that RSS differences measure live memory.
void TrimHeap();

// "2 cores, Intel(R) Xeon(R) Processor, 23.4 GiB RAM, load 1.05 0.80 0.60"
std::string MachineSummary();

// UTC time as "2025-01-31 12:34:56 UTC".
std::string NowUtc();

// The command line as typed (arguments with spaces quoted).
std::string CommandLine(int argc, char** argv);

// Creates a fresh directory /tmp/<prefix>XXXXXX with mode 0755, so PostgreSQL's own user can
// enter it when the benchmark runs as root.
Result<std::filesystem::path> MakeTempDir(const std::string& prefix);

// bench/results/<name> in the source tree.
std::filesystem::path DefaultResultsFile(const std::string& name);

// Appends `section` to `file`, writing `title` first when the file is new or empty.
Result<void> AppendResults(const std::filesystem::path& file, const std::string& title,
                           const std::string& section);

// Total size of the regular files below `dir`, in bytes.
int64_t DirectoryBytes(const std::filesystem::path& dir);

}  // namespace wissen::bench
