// MetricsRegistry and the Prometheus text exposition format 0.0.4.
#include "wissen/server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <type_traits>

namespace wissen::server {

namespace {

// Shortest text that reads back as the same double; Prometheus's spelling of the specials.
std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers (timestamps, sizes) in plain digits rather than "1.7e+09".
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc()) return "NaN";
  return std::string(buffer, end);
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"} with an optional extra pair (the histogram's le); "" when there are none.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    out += out.empty() ? "{" : ",";
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  if (!out.empty()) out += "}";
  return out;
}

void AtomicAdd(std::atomic<double>& target, double value) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + value, std::memory_order_relaxed)) {
  }
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                               1,     2.5,  5,     10,   30,  60};
  return kBuckets;
}

MetricHistogram::MetricHistogram(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void MetricHistogram::Observe(double value) {
  // Bucket i counts values <= bounds[i] (Prometheus's "le"); the last one the rest.
  const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), value);
  counts_[static_cast<size_t>(it - bounds_->begin())].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

std::vector<uint64_t> MetricHistogram::CumulativeCounts() const {
  std::vector<uint64_t> cumulative(bounds_->size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i < cumulative.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    cumulative[i] = total;
  }
  return cumulative;
}

template <typename Series>
Series& MetricFamily<Series>::With(std::initializer_list<std::string_view> values) {
  std::vector<std::string> copy;
  copy.reserve(values.size());
  for (auto value : values) copy.emplace_back(value);
  return With(copy);
}

template <typename Series>
Series& MetricFamily<Series>::With(const std::vector<std::string>& values) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = series_.find(values); it != series_.end()) return *it->second;
  }
  std::vector<std::string> key = values;
  key.resize(label_names_.size());
  std::unique_lock lock(mutex_);
  if (series_.size() >= kMaxSeries && !series_.contains(key)) {
    key.assign(label_names_.size(), "other");
  }
  auto& slot = series_[key];
  if (!slot) {
    if constexpr (std::is_same_v<Series, MetricHistogram>) {
      slot = std::make_unique<Series>(&bounds_);
    } else {
      slot = std::make_unique<Series>();
    }
  }
  return *slot;
}

template <typename Series>
void MetricFamily<Series>::Clear() {
  std::unique_lock lock(mutex_);
  series_.clear();
}

template <typename Series>
void MetricFamily<Series>::ForEach(
    const std::function<void(const std::vector<std::string>&, const Series&)>& fn) const {
  std::shared_lock lock(mutex_);
  for (const auto& [values, series] : series_) fn(values, *series);
}

template class MetricFamily<MetricCounter>;
template class MetricFamily<MetricGauge>;
template class MetricFamily<MetricHistogram>;

struct MetricsRegistry::Entry {
  std::unique_ptr<CounterFamily> counter;
  std::unique_ptr<GaugeFamily> gauge;
  std::unique_ptr<HistogramFamily> histogram;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  std::lock_guard lock(render_mutex_);
  auto entry = std::make_unique<Entry>();
  entry->counter =
      std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
  // A family without labels has exactly one series: show it as 0 before the first event.
  if (entry->counter->label_names().empty()) entry->counter->With({});
  families_.push_back(std::move(entry));
  return *families_.back()->counter;
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  std::lock_guard lock(render_mutex_);
  auto entry = std::make_unique<Entry>();
  entry->gauge =
      std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names));
  if (entry->gauge->label_names().empty()) entry->gauge->With({});
  families_.push_back(std::move(entry));
  return *families_.back()->gauge;
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> bounds) {
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  std::erase_if(bounds, [](double b) { return std::isinf(b) || std::isnan(b); });
  std::lock_guard lock(render_mutex_);
  auto entry = std::make_unique<Entry>();
  entry->histogram = std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                                       std::move(label_names), std::move(bounds));
  if (entry->histogram->label_names().empty()) entry->histogram->With({});
  families_.push_back(std::move(entry));
  return *families_.back()->histogram;
}

void MetricsRegistry::AddCollector(std::function<void()> collect) {
  std::lock_guard lock(render_mutex_);
  collectors_.push_back(std::move(collect));
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(render_mutex_);
  for (const auto& collect : collectors_) collect();
  std::string out;
  const auto header = [&out](const auto& family, const char* type) {
    out += "# HELP " + family.name() + " " + EscapeHelp(family.help()) + "\n";
    out += "# TYPE " + family.name() + " " + type + "\n";
  };
  for (const auto& entry : families_) {
    if (const auto* family = entry->counter.get()) {
      header(*family, "counter");
      family->ForEach([&](const std::vector<std::string>& values, const MetricCounter& c) {
        out += family->name() + LabelText(family->label_names(), values) + " " +
               std::to_string(c.Value()) + "\n";
      });
    } else if (const auto* family = entry->gauge.get()) {
      header(*family, "gauge");
      family->ForEach([&](const std::vector<std::string>& values, const MetricGauge& g) {
        out += family->name() + LabelText(family->label_names(), values) + " " +
               FormatDouble(g.Value()) + "\n";
      });
    } else if (const auto* family = entry->histogram.get()) {
      header(*family, "histogram");
      family->ForEach([&](const std::vector<std::string>& values, const MetricHistogram& h) {
        const auto& names = family->label_names();
        const std::vector<uint64_t> counts = h.CumulativeCounts();
        for (size_t i = 0; i < counts.size(); ++i) {
          const std::string le = i + 1 < counts.size() ? FormatDouble(h.Bound(i)) : "+Inf";
          out += family->name() + "_bucket" + LabelText(names, values, "le", le) + " " +
                 std::to_string(counts[i]) + "\n";
        }
        out +=
            family->name() + "_sum" + LabelText(names, values) + " " + FormatDouble(h.Sum()) + "\n";
        out += family->name() + "_count" + LabelText(names, values) + " " +
               std::to_string(counts.back()) + "\n";
      });
    }
  }
  return out;
}

}  // namespace wissen::server
