#include "reports/sweep_push.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

namespace reports {
namespace {

using nlohmann::json;

bool IsPlainPathValue(std::string_view value) {
  return !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// RFC 4648 section 5 (URL-safe alphabet), with padding.
std::string Base64Url(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(data[i]) << 16) |
                       (static_cast<uint8_t>(data[i + 1]) << 8) | static_cast<uint8_t>(data[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == data.size()) {
    const uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == data.size()) {
    const uint32_t n =
        (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out.empty() ? "=" : out;
}

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

// One HTTP request. `reached` says whether a server answered at all.
struct HttpOutcome {
  bool reached = false;
  long status = 0;
  std::string error;
};

HttpOutcome Send(const std::string& method, const std::string& url, const std::string* body) {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  HttpOutcome outcome;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    outcome.error = "libcurl could not start a request";
    return outcome;
  }
  curl_slist* headers = nullptr;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kPushConnectTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kPushRequestTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
  if (body != nullptr) {
    headers = curl_slist_append(headers, "Content-Type: text/plain; version=0.0.4");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    outcome.reached = true;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &outcome.status);
    if (outcome.status < 200 || outcome.status >= 300) {
      outcome.error = fmt::format("{} {}: HTTP status {}", method, url, outcome.status);
    }
  } else {
    outcome.error = fmt::format("{} {}: {}", method, url, curl_easy_strerror(code));
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return outcome;
}

std::string Base(std::string gateway) {
  while (!gateway.empty() && gateway.back() == '/') gateway.pop_back();
  return gateway;
}

// Deletes `previous`'s groups; those that could not be deleted stay in `result->record`.
void DeletePrevious(const PushedGroups& previous, SweepPushResult* result) {
  bool unreachable = false;
  for (const std::string& group : previous.groups) {
    if (unreachable) {
      result->record.groups.push_back(group);
      continue;
    }
    const HttpOutcome o = Send("DELETE", Base(previous.gateway) + group, nullptr);
    if (o.error.empty()) {
      result->deleted++;
      continue;
    }
    result->errors.push_back(o.error);
    result->record.groups.push_back(group);
    unreachable = !o.reached;
  }
}

}  // namespace

std::string PushGroupPath(std::string_view job,
                          const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string path = "/metrics";
  std::vector<std::pair<std::string, std::string>> all = {{"job", std::string(job)}};
  all.insert(all.end(), labels.begin(), labels.end());
  for (const auto& [name, value] : all) {
    path += IsPlainPathValue(value) ? fmt::format("/{}/{}", name, value)
                                    : fmt::format("/{}@base64/{}", name, Base64Url(value));
  }
  return path;
}

std::string PushedGroupsJson(const PushedGroups& pushed) {
  return json{{"gateway", pushed.gateway}, {"groups", pushed.groups}}.dump(
             2, ' ', false, json::error_handler_t::replace) +
         "\n";
}

engine::Status ParsePushedGroups(const std::string& path, const std::string& text,
                                 PushedGroups* pushed) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("gateway") || !j["gateway"].is_string() ||
      !j.contains("groups") || !j["groups"].is_array()) {
    return engine::Status::InvalidArgument(path + ": not a pushed-groups file");
  }
  pushed->gateway = j["gateway"].get<std::string>();
  pushed->groups.clear();
  for (const json& group : j["groups"]) {
    if (!group.is_string() || group.get<std::string>().rfind("/metrics/job/", 0) != 0) {
      return engine::Status::InvalidArgument(path + ": a group is not a pushgateway path");
    }
    pushed->groups.push_back(group.get<std::string>());
  }
  return engine::Status::Ok();
}

SweepPushResult PushSweep(const std::string& gateway, const std::string& sweep_id,
                          const PushedGroups& previous, const std::vector<ShardMetrics>& shards) {
  SweepPushResult result;
  DeletePrevious(previous, &result);
  // Groups left from the earlier merge live on its gateway; if that is another one, they can only
  // stay recorded by their own URL, so the record keeps the old gateway until they are gone.
  const bool same_gateway = Base(previous.gateway) == Base(gateway);
  if (!result.record.groups.empty() && !same_gateway) {
    result.errors.push_back(
        fmt::format("{} groups remain on {}; they are forgotten, as the record names one gateway",
                    result.record.groups.size(), previous.gateway));
    result.record.groups.clear();
  }
  result.record.gateway = gateway;
  for (size_t i = 0; i < shards.size(); i++) {
    const std::string group =
        PushGroupPath(kSweepPushJob, {{"sweep", sweep_id}, {"shard", shards[i].shard}});
    const HttpOutcome o = Send("PUT", Base(gateway) + group, &shards[i].text);
    if (!o.error.empty()) {
      result.errors.push_back(o.error);
      if (!o.reached) {
        result.errors.push_back(fmt::format("{} more shards not pushed: the gateway is unreachable",
                                            shards.size() - i - 1));
        break;
      }
      continue;
    }
    result.pushed++;
    if (std::find(result.record.groups.begin(), result.record.groups.end(), group) ==
        result.record.groups.end()) {
      result.record.groups.push_back(group);
    }
  }
  return result;
}

}  // namespace reports
