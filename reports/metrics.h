// Prometheus metrics of a run: one registry holding every metric shared/DESIGN.md names, fed from
// the sampler's MetricsSnapshot every 250 ms, and the ways out of the process — /metrics served
// during the run, a textfile for node_exporter, a pushgateway, and metrics.prom at the end.
//
// Hot paths never touch prometheus-cpp (its histograms and Family::Add take a mutex): workers keep
// per-thread counts and latency buckets, the monitor sums them into a MetricsSnapshot, and Publish
// advances the registry's counters to the snapshot's totals. Counters are cumulative from the run's
// start, so a scrape, a push and metrics.prom agree.
//
// Thread contract: RunMetrics is thread-safe (Publish serialises; the registry is read by the
// exposer's and the pusher's threads). MetricsExporter is thread-compatible: one thread (the
// monitor) calls OnSample and Finish; its pusher thread is internal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "reports/run_record.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
class Exposer;
class Gateway;
template <typename T>
class Family;
}  // namespace prometheus

namespace reports {

// The labels of vstress_run_info: what run this is.
struct RunLabels {
  std::string seed;
  std::string preset;
  std::string mutant;   // "none": the correct engine
  std::string version;  // vstress's version
  std::string run_id;   // the run directory's name; the pushgateway's instance label
  std::string store = "vstress";  // the engine under test: a label on every engine metric
  std::string store_version;
  // The engine gauges the store does not expose (EngineSummary::not_exposed): not exported at all,
  // so a dashboard shows "no data", never a 0 that looks like a measurement.
  std::vector<std::string> not_exposed;
};

class RunMetrics {
 public:
  explicit RunMetrics(const RunLabels& labels);
  ~RunMetrics();
  RunMetrics(const RunMetrics&) = delete;
  RunMetrics& operator=(const RunMetrics&) = delete;

  // Creates the fault series a run's rules can fire, at 0, so they are exported (and rate() has a
  // start) before the first fire. Each pair is (point, action).
  void DeclareFaults(const std::vector<std::pair<std::string, std::string>>& point_actions);
  // Sets every gauge and advances every counter and histogram to `m` (cumulative totals).
  void Publish(const MetricsSnapshot& m);
  // The registry in the Prometheus text exposition format.
  std::string Text() const;
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  const RunLabels& labels() const { return labels_; }

 private:
  prometheus::Counter& LabelledCounter(prometheus::Family<prometheus::Counter>* family,
                                       const std::map<std::string, std::string>& labels);

  const RunLabels labels_;
  const std::shared_ptr<prometheus::Registry> registry_;
  std::mutex mu_;  // serialises Publish
  // Families and the metrics cached from them (Family::Add takes a mutex; each series is added
  // once). Guarded by mu_ where Publish adds new label sets.
  prometheus::Gauge* live_versions_;
  prometheus::Gauge* deferred_deletions_;
  prometheus::Gauge* deferred_deletion_bytes_;
  prometheus::Gauge* oldest_version_age_;
  prometheus::Gauge* elapsed_;
  prometheus::Gauge* rss_;
  prometheus::Counter* files_deleted_;
  prometheus::Counter* version_installs_;
  prometheus::Counter* compactions_;
  prometheus::Counter* flushes_;
  prometheus::Family<prometheus::Counter>* faults_;
  // Every (op, result) series, made at construction: Publish indexes them instead of looking up.
  std::array<std::array<prometheus::Counter*, kOpResultCount>, kOpKindCount> ops_{};
  prometheus::Family<prometheus::Counter>* reads_checked_;
  prometheus::Family<prometheus::Counter>* violations_;
  std::map<std::tuple<void*, std::map<std::string, std::string>>, prometheus::Counter*> series_;
  std::array<prometheus::Histogram*, kOpKindCount> latency_{};
  std::array<LatencyCounts, kOpKindCount> latency_published_{};  // guarded by mu_
  // Every (mode, result) crash-cycle series, made at construction like ops_.
  std::array<std::array<prometheus::Counter*, kCrashResultCount>, kCrashFamilyCount>
      crash_cycles_{};
  prometheus::Histogram* recovery_;
  RecoveryCounts recovery_published_;  // guarded by mu_
};

struct MetricsExportOptions {
  std::string listen;        // HOST:PORT (":N" = every interface; port 0 = a free one)
  std::string textfile;      // rewritten atomically every sample
  std::string push_gateway;  // http://HOST:PORT of a pushgateway
  double push_interval_seconds = 10;
};

class MetricsExporter {
 public:
  // Starts serving and pushing per `options`; an address or URL that is malformed or cannot be
  // bound (net_address.h), or a textfile that cannot be written, is an InvalidArgument naming its
  // flag.
  static engine::Result<std::unique_ptr<MetricsExporter>> Start(
      RunMetrics* metrics, const MetricsExportOptions& options);
  ~MetricsExporter();
  MetricsExporter(const MetricsExporter&) = delete;
  MetricsExporter& operator=(const MetricsExporter&) = delete;

  // The port /metrics is served on (0: not serving), and its URL ("" when not serving).
  int port() const { return port_; }
  const std::string& listen_url() const { return listen_url_; }
  // Publishes a sample, rewrites the textfile, and wakes the pusher when a push is due.
  void OnSample(const MetricsSnapshot& m);
  // Rewrites the textfile and pushes once more (synchronously), after the caller published the
  // final sample. Returns the push's error, if any; the final push is the one a CI batch job
  // relies on.
  engine::Status Finish();
  uint64_t pushes_ok() const { return pushes_ok_.load(); }

 private:
  MetricsExporter(RunMetrics* metrics, MetricsExportOptions options);
  void PushLoop();
  engine::Status PushNow();

  RunMetrics* const metrics_;
  const MetricsExportOptions options_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<prometheus::Gateway> gateway_;
  int port_ = 0;
  std::string listen_url_;
  double last_push_seconds_ = 0;
  std::string last_textfile_error_;

  std::mutex push_mu_;
  std::condition_variable push_cv_;
  bool push_due_ = false;  // guarded by push_mu_
  bool stopping_ = false;  // guarded by push_mu_
  std::mutex gateway_mu_;  // one push at a time
  std::atomic<uint64_t> pushes_ok_{0};
  std::thread pusher_;
};

// Writes `contents` to `path` by a rename over it (readers never see half a file; not synced:
// a textfile is rewritten four times a second and only its latest version matters).
engine::Status ReplaceFile(const std::string& path, const std::string& contents);

}  // namespace reports
