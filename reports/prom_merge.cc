#include "reports/prom_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace reports {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Reads one line of the exposition format, left to right; `error` says what is wrong first.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : line_(line) {}

  void SkipSpaces() {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) pos_++;
  }
  bool AtEnd() const { return pos_ >= line_.size(); }
  bool Take(char c) {
    if (pos_ < line_.size() && line_[pos_] == c) {
      pos_++;
      return true;
    }
    return false;
  }
  // A metric name (colons allowed) or a label name (not).
  std::string Name(bool metric) {
    const size_t begin = pos_;
    while (pos_ < line_.size() &&
           (pos_ == begin ? IsNameStart(line_[pos_]) || (metric && line_[pos_] == ':')
                          : IsNameChar(line_[pos_]) || (metric && line_[pos_] == ':'))) {
      pos_++;
    }
    return std::string(line_.substr(begin, pos_ - begin));
  }
  // A quoted label value with its \\, \" and \n escapes undone; false when unterminated.
  bool QuotedValue(std::string* value) {
    if (!Take('"')) return false;
    while (pos_ < line_.size()) {
      const char c = line_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        *value += c;
        continue;
      }
      if (pos_ >= line_.size()) return false;
      const char escaped = line_[pos_++];
      *value += escaped == 'n' ? '\n' : escaped;
    }
    return false;
  }
  std::string_view Word() {
    const size_t begin = pos_;
    while (pos_ < line_.size() && line_[pos_] != ' ' && line_[pos_] != '\t') pos_++;
    return line_.substr(begin, pos_ - begin);
  }
  std::string_view Rest() const { return line_.substr(std::min(pos_, line_.size())); }

 private:
  std::string_view line_;
  size_t pos_ = 0;
};

bool ParseValue(std::string_view word, double* value) {
  if (word == "+Inf" || word == "Inf") {
    *value = INFINITY;
    return true;
  }
  if (word == "-Inf") {
    *value = -INFINITY;
    return true;
  }
  if (word == "NaN") {
    *value = NAN;
    return true;
  }
  if (!word.empty() && word.front() == '+') word.remove_prefix(1);
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), *value);
  return error == std::errc() && end == word.data() + word.size() && !word.empty();
}

// `name{labels} value [timestamp]`, or an error text.
std::string ParseSampleLine(std::string_view line, PromSample* sample) {
  LineReader r(line);
  sample->name = r.Name(true);
  if (sample->name.empty()) return "a sample line must start with a metric name";
  if (r.Take('{')) {
    while (true) {
      r.SkipSpaces();
      if (r.Take('}')) break;
      std::string label = r.Name(false);
      if (label.empty()) return "bad label name";
      r.SkipSpaces();
      if (!r.Take('=')) return "label " + label + " has no '='";
      r.SkipSpaces();
      std::string value;
      if (!r.QuotedValue(&value)) return "label " + label + " has no quoted value";
      sample->labels.emplace_back(std::move(label), std::move(value));
      r.SkipSpaces();
      if (r.Take('}')) break;
      if (!r.Take(',')) return "expected ',' or '}' after label " + sample->labels.back().first;
    }
  }
  r.SkipSpaces();
  const std::string_view value = r.Word();
  if (!ParseValue(value, &sample->value)) return fmt::format("bad value '{}'", value);
  r.SkipSpaces();
  const std::string_view timestamp = r.Word();  // dropped: see the header
  r.SkipSpaces();
  int64_t ignored = 0;
  if (!timestamp.empty() &&
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ignored).ptr !=
          timestamp.data() + timestamp.size()) {
    return fmt::format("bad timestamp '{}'", timestamp);
  }
  if (!r.AtEnd()) return "text after the sample";
  return "";
}

PromFamily NamedFamily(const std::string& name) {
  PromFamily family;
  family.name = name;
  return family;
}

bool BelongsTo(const PromFamily& family, const std::string& sample) {
  const bool histogram = family.type == "histogram";
  if (sample == family.name) return !histogram;
  if (!histogram && family.type != "summary") return false;
  if (sample == family.name + "_sum" || sample == family.name + "_count") return true;
  return histogram && sample == family.name + "_bucket";
}

// A "# HELP" or "# TYPE" line updates the family it names; other comments are ignored.
// The family it names becomes `*current`: the samples that follow belong to it.
std::string ParseComment(std::string_view line, std::vector<PromFamily>* families,
                         std::map<std::string, size_t>* index, std::set<std::string>* typed,
                         size_t* current) {
  LineReader r(line.substr(1));
  r.SkipSpaces();
  const std::string_view keyword = r.Word();
  if (keyword != "HELP" && keyword != "TYPE") return "";
  r.SkipSpaces();
  const std::string name = r.Name(true);
  if (name.empty()) return fmt::format("# {} names no metric", keyword);
  auto [it, added] = index->emplace(name, families->size());
  if (added) families->push_back(NamedFamily(name));
  *current = it->second;
  PromFamily& family = (*families)[it->second];
  r.SkipSpaces();
  if (keyword == "HELP") {
    family.help = std::string(r.Rest());
    return "";
  }
  const std::string type(r.Word());
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                               "untyped"};
  if (kTypes.count(type) == 0) return fmt::format("unknown type '{}' for {}", type, name);
  if (!typed->insert(name).second) return "a second # TYPE for " + name;
  if (!family.samples.empty()) return "# TYPE for " + name + " after its samples";
  family.type = type;
  return "";
}

std::string CanonicalKey(const PromSample& s) {
  std::vector<std::pair<std::string, std::string>> labels = s.labels;
  std::sort(labels.begin(), labels.end());
  std::string key = s.name + "{";
  for (const auto& [name, value] : labels) {
    key += name + "=" + std::to_string(value.size()) + ":" + value + ",";
  }
  return key + "}";
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

bool IsSummed(const std::string& type) { return type == "counter" || type == "histogram"; }

}  // namespace

engine::Status ParseExposition(const std::string& path, std::string_view text,
                               std::vector<PromFamily>* families) {
  families->clear();
  std::map<std::string, size_t> index;
  std::set<std::string> typed;
  size_t line_number = 0;
  size_t begin = 0;
  size_t current = SIZE_MAX;  // the family the last # line or sample was about
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    line_number++;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string error;
    if (line.front() == '#') {
      error = ParseComment(line, families, &index, &typed, &current);
    } else {
      PromSample sample;
      error = ParseSampleLine(line, &sample);
      if (error.empty()) {
        if (current == SIZE_MAX || !BelongsTo((*families)[current], sample.name)) {
          auto [it, added] = index.emplace(sample.name, families->size());
          if (added) families->push_back(NamedFamily(sample.name));
          current = it->second;
        }
        (*families)[current].samples.push_back(std::move(sample));
      }
    }
    if (!error.empty()) {
      return engine::Status::InvalidArgument(fmt::format("{}:{}: {}", path, line_number, error));
    }
  }
  return engine::Status::Ok();
}

std::string FormatPromValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // fmt's shortest round-trip form writes integers up to 1e16 without an exponent.
  return fmt::format("{}", value);
}

engine::Status ExpositionMerger::CheckTypes(const std::string& path,
                                            const std::vector<PromFamily>& parsed) const {
  for (const PromFamily& family : parsed) {
    const auto it = family_index_.find(family.name);
    if (it == family_index_.end() || families_[it->second].type == family.type) continue;
    return engine::Status::InvalidArgument(
        fmt::format("{}: {} is a {} here but a {} in an earlier shard", path, family.name,
                    family.type, families_[it->second].type));
  }
  return engine::Status::Ok();
}

void ExpositionMerger::Merge(const std::string& shard, const PromFamily& parsed) {
  auto [position, added] = family_index_.emplace(parsed.name, families_.size());
  if (added) {
    families_.emplace_back();
    families_.back().name = parsed.name;
    families_.back().type = parsed.type;
  }
  Family& family = families_[position->second];
  if (family.help.empty()) family.help = parsed.help;
  const bool summed = IsSummed(family.type);
  for (PromSample sample : parsed.samples) {
    if (!summed) {
      for (auto& label : sample.labels) {
        if (label.first == "shard") label.first = "exported_shard";
      }
      sample.labels.emplace_back("shard", shard);
    }
    auto [it, fresh] = family.index.emplace(CanonicalKey(sample), family.series.size());
    if (fresh) {
      family.series.push_back(std::move(sample));
    } else if (summed) {
      family.series[it->second].value += sample.value;
    } else {
      // Two samples of one shard with one label set: the later one wins, as a scrape would.
      family.series[it->second].value = sample.value;
    }
  }
}

engine::Status ExpositionMerger::Add(const std::string& shard, const std::string& path,
                                     std::string_view text) {
  std::vector<PromFamily> parsed;
  if (engine::Status s = ParseExposition(path, text, &parsed); !s.ok()) return s;
  if (engine::Status s = CheckTypes(path, parsed); !s.ok()) return s;
  for (const PromFamily& family : parsed) Merge(shard, family);
  shards_merged_++;
  return engine::Status::Ok();
}

std::string ExpositionMerger::Text() const {
  std::string text;
  for (const Family& family : families_) {
    if (!family.help.empty()) text += fmt::format("# HELP {} {}\n", family.name, family.help);
    text += fmt::format("# TYPE {} {}\n", family.name, family.type);
    for (const PromSample& s : family.series) {
      text += s.name;
      if (!s.labels.empty()) {
        text += '{';
        for (size_t i = 0; i < s.labels.size(); i++) {
          text += fmt::format("{}{}=\"{}\"", i == 0 ? "" : ",", s.labels[i].first,
                              EscapeLabelValue(s.labels[i].second));
        }
        text += '}';
      }
      text += " " + FormatPromValue(s.value) + "\n";
    }
  }
  return text;
}

}  // namespace reports
