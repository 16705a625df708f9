// The merge of a sweep's metrics.prom files (the Prometheus text exposition format, version
// 0.0.4) into one: what `vstress merge` writes as DIR/metrics.prom.
//
// Counters and histograms (every _bucket, _sum and _count) are summed over the shards, one series
// per identical label set, so the merged file counts what the whole sweep did. Everything else —
// gauges (vstress_run_info among them), summaries and untyped samples — is kept per shard with an
// added label shard="<index>", since the sum of two shards' live Versions means nothing; a series
// that already has a `shard` label keeps it as `exported_shard`, as Prometheus does. Families and
// series come out in the order they were first seen, so the output is a function of the inputs.
// Timestamps are dropped: a sweep's file describes the sweep, not one moment. Histograms are
// summed bucket by bucket, which is right because every shard of one vstress version writes the
// same bucket bounds.
//
// A shard's text is merged whole or not at all: a malformed line, or a family whose type differs
// from the type an earlier shard gave it, leaves the merged state untouched and returns an
// InvalidArgument naming the shard's path and line.
//
// Thread contract: thread-compatible.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace reports {

// One sample line: `name{labels} value`. Label values are unescaped.
struct PromSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // in the order written
  double value = 0;
};

// A metric family: its # HELP text (as written, escapes kept), its # TYPE and its samples.
struct PromFamily {
  std::string name;
  std::string type = "untyped";  // counter | gauge | histogram | summary | untyped
  std::string help;
  std::vector<PromSample> samples;
};

// Parses an exposition-format text. InvalidArgument names `path` and the line on a malformed
// line, a second # TYPE for one family, or an unknown type.
engine::Status ParseExposition(const std::string& path, std::string_view text,
                               std::vector<PromFamily>* families);

// A sample value as the exposition format writes it: "+Inf", "-Inf", "NaN", otherwise the shortest
// text that reads back the same double (integers below 1e16 without an exponent).
std::string FormatPromValue(double value);

class ExpositionMerger {
 public:
  // Merges the metrics.prom of shard `shard` (read from `path`, named in errors).
  engine::Status Add(const std::string& shard, const std::string& path, std::string_view text);
  // The merged exposition text.
  std::string Text() const;
  size_t shards_merged() const { return shards_merged_; }

 private:
  struct Family {
    std::string name;
    std::string type;
    std::string help;
    std::vector<PromSample> series;
    std::map<std::string, size_t> index;  // canonical name{labels} -> position in `series`
  };

  engine::Status CheckTypes(const std::string& path, const std::vector<PromFamily>& parsed) const;
  void Merge(const std::string& shard, const PromFamily& parsed);

  std::vector<Family> families_;
  std::map<std::string, size_t> family_index_;  // name -> position in families_
  size_t shards_merged_ = 0;
};

}  // namespace reports
