// Process-wide Prometheus metrics: counters and latency histograms keyed by name and labels,
// rendered in the text exposition format by GET /metrics.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cxco::metrics {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Distinct label sets kept per metric; later new ones are counted in one series whose label
// values are all "overflow".
inline constexpr std::size_t kMaxSeriesPerMetric = 1000;

void increment(std::string_view name, Labels labels, double by = 1);
// Seconds, into buckets from 100 µs to 10 s.
void observe(std::string_view name, Labels labels, double seconds);

struct Gauge {
  std::string name;
  std::string help;
  std::string labels;  // already rendered, e.g. state="idle"; may be empty
  double value;
};

// Counters and histograms recorded so far, then the gauges read at scrape time.
std::string render(const std::vector<Gauge>& gauges);

}  // namespace cxco::metrics
