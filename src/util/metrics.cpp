#include "util/metrics.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <mutex>

namespace cxco::metrics {

namespace {

constexpr std::array<double, 15> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};

struct Histogram {
  std::array<std::uint64_t, kBuckets.size()> buckets{};
  std::uint64_t count = 0;
  double sum = 0;
};

struct Registry {
  std::mutex mutex;
  // name -> rendered labels -> value
  std::map<std::string, std::map<std::string, double>, std::less<>> counters;
  std::map<std::string, std::map<std::string, Histogram>, std::less<>> histograms;
};

Registry& registry() {
  static Registry r;
  return r;
}

// Any token is a method to the HTTP parser; methods outside RFC 9110 (and PATCH) share one
// value so that clients cannot mint series.
constexpr std::array<std::string_view, 9> kMethods = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                      "CONNECT", "OPTIONS", "TRACE", "PATCH"};
constexpr std::size_t kMaxLabelValue = 128;

std::string_view bounded_value(std::string_view key, std::string_view value) {
  if (key == "method" && std::find(kMethods.begin(), kMethods.end(), value) == kMethods.end()) return "OTHER";
  if (value.size() <= kMaxLabelValue) return value;
  std::size_t n = kMaxLabelValue;
  while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) --n;  // whole UTF-8 characters only
  return value.substr(0, n);
}

// `overflow`: every value becomes "overflow" (the series of label sets past the cap).
std::string render_labels(Labels labels, bool overflow = false) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    out += k;
    out += "=\"";
    for (const char c : overflow ? std::string_view("overflow") : bounded_value(k, v)) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out;
}

// The series of `labels` in one metric; past kMaxSeriesPerMetric, new label sets share one.
template <class Value>
Value& series_of(std::map<std::string, Value>& series, const std::string& key, Labels labels) {
  if (series.size() < kMaxSeriesPerMetric || series.contains(key)) return series[key];
  return series[render_labels(labels, true)];
}

const char* help_for(std::string_view name) {
  static const std::map<std::string_view, const char*> kHelp = {
      {"cxco_http_requests_total", "HTTP requests answered, by route template, method and status"},
      {"cxco_http_request_duration_seconds", "Time to answer an HTTP request, by route template"},
      {"cxco_http_connections_rejected_total", "Connections closed at once because CXCO_MAX_CONNECTIONS were open"},
      {"cxco_webhook_deliveries_total", "Webhook delivery attempts by outcome (succeeded, failed, skipped)"},
      {"cxco_provider_request_duration_seconds", "Latency of calls to external providers, by provider and operation"},
      {"cxco_provider_errors_total", "Provider calls that failed after retries, by provider and operation"},
  };
  const auto it = kHelp.find(name);
  return it == kHelp.end() ? "" : it->second;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string join(const std::string& labels, const std::string& extra) {
  if (labels.empty()) return "{" + extra + "}";
  return "{" + labels + "," + extra + "}";
}

}  // namespace

void increment(std::string_view name, Labels labels, double by) {
  auto& r = registry();
  const auto key = render_labels(labels);
  std::lock_guard lock(r.mutex);
  auto it = r.counters.find(name);
  if (it == r.counters.end()) it = r.counters.emplace(std::string(name), std::map<std::string, double>{}).first;
  series_of(it->second, key, labels) += by;
}

void observe(std::string_view name, Labels labels, double seconds) {
  auto& r = registry();
  const auto key = render_labels(labels);
  std::lock_guard lock(r.mutex);
  auto it = r.histograms.find(name);
  if (it == r.histograms.end()) it = r.histograms.emplace(std::string(name), std::map<std::string, Histogram>{}).first;
  auto& h = series_of(it->second, key, labels);
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

std::string render(const std::vector<Gauge>& gauges) {
  auto& r = registry();
  std::string out;
  std::lock_guard lock(r.mutex);
  for (const auto& [name, series] : r.counters) {
    out += "# HELP " + name + " " + help_for(name) + "\n# TYPE " + name + " counter\n";
    for (const auto& [labels, value] : series) out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + number(value) + "\n";
  }
  for (const auto& [name, series] : r.histograms) {
    out += "# HELP " + name + " " + help_for(name) + "\n# TYPE " + name + " histogram\n";
    for (const auto& [labels, h] : series) {
      for (std::size_t i = 0; i < kBuckets.size(); ++i)
        out += name + "_bucket" + join(labels, "le=\"" + number(kBuckets[i]) + "\"") + " " + std::to_string(h.buckets[i]) + "\n";
      out += name + "_bucket" + join(labels, "le=\"+Inf\"") + " " + std::to_string(h.count) + "\n";
      const std::string l = labels.empty() ? "" : "{" + labels + "}";
      out += name + "_sum" + l + " " + number(h.sum) + "\n";
      out += name + "_count" + l + " " + std::to_string(h.count) + "\n";
    }
  }
  std::string last;
  for (const auto& g : gauges) {
    if (g.name != last) out += "# HELP " + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
    last = g.name;
    out += g.name + (g.labels.empty() ? "" : "{" + g.labels + "}") + " " + number(g.value) + "\n";
  }
  return out;
}

}  // namespace cxco::metrics
