#include "reports/metrics.h"

#include <fmt/format.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gateway.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "reports/net_address.h"

namespace reports {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

prometheus::Histogram::BucketBoundaries LatencyBoundaries() {
  prometheus::Histogram::BucketBoundaries bounds;
  for (size_t i = 0; i < kLatencyBounds; i++) bounds.push_back(LatencyBound(i));
  return bounds;
}

prometheus::Histogram::BucketBoundaries RecoveryBoundaries() {
  return {kRecoveryBounds.begin(), kRecoveryBounds.end()};
}

// Advances a cumulative counter to `total` (counters only go up; a total below the published one
// cannot happen within a run and is ignored rather than published as a reset).
void AdvanceTo(prometheus::Counter* c, double total) {
  const double delta = total - c->Value();
  if (delta > 0) c->Increment(delta);
}

}  // namespace

RunMetrics::RunMetrics(const RunLabels& labels)
    : labels_(labels), registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  auto gauge = [&r](const char* name, const char* help) {
    return &BuildGauge().Name(name).Help(help).Register(r).Add({});
  };
  // The engine's metrics carry the store's name; a gauge it does not expose is not registered.
  const prometheus::Labels store = {{"store", labels.store}};
  auto engine_gauge = [&](const char* gauge_name, const char* name,
                          const char* help) -> prometheus::Gauge* {
    for (const std::string& absent : labels.not_exposed) {
      if (absent == gauge_name) return nullptr;
    }
    return &BuildGauge().Name(name).Help(help).Register(r).Add(store);
  };
  auto engine_counter = [&](const char* name, const char* help) {
    return &BuildCounter().Name(name).Help(help).Register(r).Add(store);
  };
  live_versions_ =
      engine_gauge("live_versions", "vstress_engine_live_versions",
                   "Versions alive: the current one plus those pinned by readers.");
  deferred_deletions_ =
      engine_gauge("deferred_deletions", "vstress_engine_deferred_deletions",
                   "Obsolete table files kept because a live Version still lists them.");
  deferred_deletion_bytes_ =
      engine_gauge("deferred_deletion_bytes", "vstress_engine_deferred_deletion_bytes",
                   "Bytes of the deferred table files.");
  oldest_version_age_ =
      engine_gauge("oldest_version_age_seconds", "vstress_engine_oldest_version_age_seconds",
                   "Age of the oldest live Version.");
  elapsed_ = gauge("vstress_run_elapsed_seconds", "Time since the run started.");
  rss_ = gauge("vstress_process_resident_memory_bytes", "Resident set size of vstress.");
  files_deleted_ = engine_counter("vstress_engine_files_deleted_total", "Obsolete files deleted.");
  version_installs_ = engine_counter("vstress_engine_version_installs_total",
                                     "Versions installed (flush/compaction).");
  compactions_ = engine_counter("vstress_engine_compactions_total", "Compactions finished.");
  flushes_ = engine_counter("vstress_engine_flushes_total", "Memtable flushes finished.");
  faults_ = &BuildCounter()
                 .Name("vstress_faults_injected_total")
                 .Help("Faults fired, by fault point and action.")
                 .Register(r);
  auto& ops =
      BuildCounter().Name("vstress_ops_total").Help("Ops completed, by op and result.").Register(r);
  reads_checked_ = &BuildCounter()
                        .Name("vstress_reads_checked_total")
                        .Help("Reads checked against the oracle, by kind.")
                        .Register(r);
  violations_ = &BuildCounter()
                     .Name("vstress_violations_total")
                     .Help("Correctness violations found, by kind.")
                     .Register(r);
  auto& latency =
      BuildHistogram().Name("vstress_op_latency_seconds").Help("Op latency, by op.").Register(r);
  for (size_t i = 0; i < kOpKindCount; i++) {
    latency_[i] = &latency.Add({{"op", std::string(kOpKindNames[i])}}, LatencyBoundaries());
  }
  // Every op/result series exists from the start, so rate() has a zero to begin from.
  for (size_t op = 0; op < kOpKindCount; op++) {
    for (size_t result = 0; result < kOpResultCount; result++) {
      ops_[op][result] = &ops.Add(
          {{"op", std::string(kOpKindNames[op])}, {"result", std::string(kOpResultNames[result])}});
    }
  }
  // Crash cycles: every (mode, result) series and the histogram exist in every run, at 0 outside
  // crash runs, so one dashboard serves both and rate() has a zero to begin from.
  auto& crash_cycles = BuildCounter()
                           .Name("vstress_crash_cycles_total")
                           .Help("Crash cycles (crash, reopen, verify), by crash mode and result.")
                           .Register(r);
  for (size_t family = 0; family < kCrashFamilyCount; family++) {
    for (size_t result = 0; result < kCrashResultCount; result++) {
      crash_cycles_[family][result] =
          &crash_cycles.Add({{"mode", std::string(kCrashFamilyNames[family])},
                             {"result", std::string(kCrashResultNames[result])}});
    }
  }
  recovery_ = &BuildHistogram()
                   .Name("vstress_recovery_seconds")
                   .Help("Time to reopen and recover the DB after a crash.")
                   .Register(r)
                   .Add({}, RecoveryBoundaries());
  for (const char* kind : {"point_read", "scan", "scan_key", "snapshot_read"}) {
    LabelledCounter(reads_checked_, {{"kind", kind}});
  }
  for (auto kind : kViolationKinds) LabelledCounter(violations_, {{"kind", std::string(kind)}});
  BuildGauge()
      .Name("vstress_run_info")
      .Help("The run: seed, preset, mutant, store and their versions (value 1).")
      .Register(r)
      .Add({{"seed", labels.seed},
            {"preset", labels.preset},
            {"mutant", labels.mutant},
            {"version", labels.version},
            {"run_id", labels.run_id},
            {"store", labels.store},
            {"store_version", labels.store_version}})
      .Set(1);
}

RunMetrics::~RunMetrics() = default;

prometheus::Counter& RunMetrics::LabelledCounter(prometheus::Family<prometheus::Counter>* family,
                                                 const std::map<std::string, std::string>& labels) {
  auto key = std::make_tuple(static_cast<void*>(family), labels);
  auto it = series_.find(key);
  if (it == series_.end()) it = series_.emplace(key, &family->Add(labels)).first;
  return *it->second;
}

void RunMetrics::DeclareFaults(
    const std::vector<std::pair<std::string, std::string>>& point_actions) {
  std::lock_guard<std::mutex> guard(mu_);
  for (const auto& [point, action] : point_actions) {
    LabelledCounter(faults_, {{"point", point}, {"action", action}});
  }
}

void RunMetrics::Publish(const MetricsSnapshot& m) {
  std::lock_guard<std::mutex> guard(mu_);
  const auto set = [](prometheus::Gauge* g, double value) {
    if (g != nullptr) g->Set(value);
  };
  set(live_versions_, static_cast<double>(m.live_versions));
  set(deferred_deletions_, static_cast<double>(m.deferred_deletions));
  set(deferred_deletion_bytes_, static_cast<double>(m.deferred_deletion_bytes));
  set(oldest_version_age_, m.oldest_version_age_seconds);
  elapsed_->Set(m.seconds);
  rss_->Set(static_cast<double>(m.rss_bytes));
  AdvanceTo(files_deleted_, static_cast<double>(m.files_deleted));
  AdvanceTo(version_installs_, static_cast<double>(m.version_installs));
  AdvanceTo(compactions_, static_cast<double>(m.compactions));
  AdvanceTo(flushes_, static_cast<double>(m.flushes));
  for (const auto& [point_action, fires] : m.faults) {
    AdvanceTo(
        &LabelledCounter(faults_, {{"point", point_action.first}, {"action", point_action.second}}),
        static_cast<double>(fires));
  }
  for (size_t op = 0; op < kOpKindCount; op++) {
    for (size_t result = 0; result < kOpResultCount; result++) {
      AdvanceTo(ops_[op][result], static_cast<double>(m.ops[op][result]));
    }
    const LatencyCounts delta = m.latency[op].Since(latency_published_[op]);
    if (delta.count() > 0) {
      std::vector<double> increments(delta.buckets.begin(), delta.buckets.end());
      latency_[op]->ObserveMultiple(increments, delta.sum_seconds);
      latency_published_[op] = m.latency[op];
    }
  }
  for (size_t family = 0; family < kCrashFamilyCount; family++) {
    for (size_t result = 0; result < kCrashResultCount; result++) {
      AdvanceTo(crash_cycles_[family][result], static_cast<double>(m.crash_cycles[family][result]));
    }
  }
  const RecoveryCounts recovery = m.recovery.Since(recovery_published_);
  if (recovery.count() > 0) {
    std::vector<double> increments(recovery.buckets.begin(), recovery.buckets.end());
    recovery_->ObserveMultiple(increments, recovery.sum_seconds);
    recovery_published_ = m.recovery;
  }
  for (const auto& [kind, n] : m.reads_checked) {
    AdvanceTo(&LabelledCounter(reads_checked_, {{"kind", kind}}), static_cast<double>(n));
  }
  for (const auto& [kind, n] : m.violations) {
    AdvanceTo(&LabelledCounter(violations_, {{"kind", kind}}), static_cast<double>(n));
  }
}

std::string RunMetrics::Text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

// ---- export ------------------------------------------------------------------------------

engine::Status ReplaceFile(const std::string& path, const std::string& contents) {
  const std::string temp = fmt::format("{}.tmp.{}", path, getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << contents;
    out.flush();
    if (!out) return engine::Status::IOError(fmt::format("cannot write {}", temp));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temp.c_str());
    return engine::Status::FromErrno(error, "renaming " + temp + " to " + path);
  }
  return engine::Status::Ok();
}

MetricsExporter::MetricsExporter(RunMetrics* metrics, MetricsExportOptions options)
    : metrics_(metrics), options_(std::move(options)) {}

engine::Result<std::unique_ptr<MetricsExporter>> MetricsExporter::Start(
    RunMetrics* metrics, const MetricsExportOptions& options) {
  std::unique_ptr<MetricsExporter> e(new MetricsExporter(metrics, options));
  if (!options.listen.empty()) {
    auto listen =
        ParseHostPort(options.listen, {.allow_empty_host = true, .allow_port_zero = true});
    if (!listen.ok()) {
      return engine::Status::InvalidArgument("--metrics-listen: " + listen.status().message());
    }
    // civetweb spells "every interface" as a bare port.
    const HostPort& hp = listen.value();
    const std::string address =
        hp.address.empty() ? std::to_string(hp.port) : fmt::format("{}:{}", hp.address, hp.port);
    try {
      e->exposer_ = std::make_unique<prometheus::Exposer>(address);
    } catch (const std::exception& ex) {
      return engine::Status::InvalidArgument(
          fmt::format("--metrics-listen: cannot listen on '{}': {}", options.listen, ex.what()));
    }
    e->exposer_->RegisterCollectable(metrics->registry());
    const auto ports = e->exposer_->GetListeningPorts();
    e->port_ = ports.empty() ? 0 : ports.front();
    e->listen_url_ =
        fmt::format("http://{}:{}/metrics", hp.host.empty() ? "0.0.0.0" : hp.host, e->port_);
  }
  if (!options.textfile.empty()) {
    // A textfile that cannot be written is a usage error now, not a stream of warnings later.
    if (engine::Status s = ReplaceFile(options.textfile, metrics->Text()); !s.ok()) {
      return engine::Status::InvalidArgument("--metrics-textfile: " + s.ToString());
    }
  }
  if (!options.push_gateway.empty()) {
    auto url = ParseHttpUrl(options.push_gateway);
    if (!url.ok())
      return engine::Status::InvalidArgument("--push-gateway: " + url.status().message());
    e->gateway_ = std::make_unique<prometheus::Gateway>(
        url.value().scheme + "://" + url.value().host_port.host,
        std::to_string(url.value().host_port.port), "vstress",
        prometheus::Labels{{"instance", metrics->labels().run_id}});
    e->gateway_->RegisterCollectable(metrics->registry());
    e->pusher_ = std::thread([raw = e.get()] { raw->PushLoop(); });
  }
  return e;
}

MetricsExporter::~MetricsExporter() {
  {
    std::lock_guard<std::mutex> guard(push_mu_);
    stopping_ = true;
  }
  push_cv_.notify_all();
  if (pusher_.joinable()) pusher_.join();
}

void MetricsExporter::OnSample(const MetricsSnapshot& m) {
  metrics_->Publish(m);
  if (!options_.textfile.empty()) {
    // A textfile that cannot be written is reported once, not four times a second.
    const engine::Status s = ReplaceFile(options_.textfile, metrics_->Text());
    if (!s.ok() && s.message() != last_textfile_error_) {
      last_textfile_error_ = s.message();
      fmt::print(stderr, "vstress: --metrics-textfile: {}\n", s.ToString());
    }
  }
  if (gateway_ && m.seconds - last_push_seconds_ >= options_.push_interval_seconds) {
    last_push_seconds_ = m.seconds;
    {
      std::lock_guard<std::mutex> guard(push_mu_);
      push_due_ = true;
    }
    push_cv_.notify_one();
  }
}

engine::Status MetricsExporter::Finish() {
  if (!options_.textfile.empty()) {
    if (engine::Status s = ReplaceFile(options_.textfile, metrics_->Text()); !s.ok()) return s;
  }
  return gateway_ ? PushNow() : engine::Status::Ok();
}

void MetricsExporter::PushLoop() {
  std::unique_lock<std::mutex> lock(push_mu_);
  while (true) {
    push_cv_.wait(lock, [this] { return push_due_ || stopping_; });
    if (stopping_) return;
    push_due_ = false;
    lock.unlock();
    // A failed periodic push is retried at the next interval; the final one reports its error.
    (void)PushNow();
    lock.lock();
  }
}

engine::Status MetricsExporter::PushNow() {
  std::lock_guard<std::mutex> guard(gateway_mu_);
  const int code = gateway_->Push();
  if (code >= 200 && code < 300) {
    pushes_ok_.fetch_add(1);
    return engine::Status::Ok();
  }
  return engine::Status::IOError(
      fmt::format("pushing to {} failed (HTTP status {})", options_.push_gateway, code));
}

}  // namespace reports
