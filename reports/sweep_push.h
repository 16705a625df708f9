// Pushing a sweep's shards to a Prometheus pushgateway, one group per shard, and taking the groups
// of an earlier merge of the same sweep away first.
//
// A shard's group is job="vstress_sweep", sweep=<sweep id>, shard=<index>, pushed with HTTP PUT to
// GATEWAY/metrics/job/vstress_sweep/sweep/<id>/shard/<index> with the shard's metrics.prom as the
// body, so a push replaces what the group held. The groups a merge pushed are recorded in
// DIR/pushed-groups.json ({"gateway": URL, "groups": [path, ...]}); the next merge of DIR that
// pushes first sends HTTP DELETE for each recorded group (on the gateway that holds it), so a sweep
// re-merged with fewer shards, or under another id, leaves no stale group behind. A merge without
// --push-gateway leaves the gateway and the record alone.
//
// The gateway is best effort: a failed request is reported, never fatal, and after the first one
// that reaches no server the remaining requests to that gateway are skipped (each would wait for
// the same timeout). A group whose DELETE failed stays recorded, to be tried again next time.
// Every request is bounded by kPushConnectTimeoutMs and kPushRequestTimeoutMs.
//
// Thread contract: thread-compatible (libcurl's global set-up runs once, under std::call_once).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace reports {

inline constexpr long kPushConnectTimeoutMs = 3000;
inline constexpr long kPushRequestTimeoutMs = 15000;
inline constexpr const char* kSweepPushJob = "vstress_sweep";

// The pushgateway path of a group: "/metrics/job/JOB/NAME/VALUE...". A value that is empty or holds
// anything but letters, digits, '_', '.' and '-' is written NAME@base64/BASE64URL, as the
// pushgateway's API asks.
std::string PushGroupPath(std::string_view job,
                          const std::vector<std::pair<std::string, std::string>>& labels);

// The groups an earlier merge pushed (DIR/pushed-groups.json).
struct PushedGroups {
  std::string gateway;              // the URL they were pushed to
  std::vector<std::string> groups;  // their paths
};

std::string PushedGroupsJson(const PushedGroups& pushed);
// InvalidArgument naming `path` when `text` is not a pushed-groups.json.
engine::Status ParsePushedGroups(const std::string& path, const std::string& text,
                                 PushedGroups* pushed);

struct ShardMetrics {
  std::string shard;  // the shard's index
  std::string text;   // its metrics.prom
};

struct SweepPushResult {
  PushedGroups record;              // what DIR/pushed-groups.json should now say
  size_t deleted = 0;               // earlier groups taken away
  size_t pushed = 0;                // shards pushed
  std::vector<std::string> errors;  // one line per failed request (or skipped batch)
};

// Deletes `previous`'s groups, then pushes each shard's metrics to `gateway` (already validated
// by ParseHttpUrl) under sweep=`sweep_id`.
SweepPushResult PushSweep(const std::string& gateway, const std::string& sweep_id,
                          const PushedGroups& previous, const std::vector<ShardMetrics>& shards);

}  // namespace reports
