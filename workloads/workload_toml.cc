// The TOML text form of WorkloadSpec: ParseWorkload, ApplyOverride, ToToml (declared in
// workload_spec.h). The only file that includes toml++; its exceptions stop here and become
// InvalidArgument Statuses naming the bad key.
//
// Every key lives in one table, Fields(), which says where in WorkloadSpec the key's value goes.
// Parsing, --set overrides, ToToml and WorkloadKeys() all walk that table, so a key cannot be
// parsed but not printed, or printed but not overridable (the table is workload_fields.h's). The
// [randomize] table's text form lives here too (its rules are randomize_range.cc's): all of toml++
// stays in one place.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <variant>

#include "workloads/workload_fields.h"
#include "workloads/workload_spec.h"

namespace workloads {
namespace {

using engine::Result;
using engine::Status;


// For a table under an unknown name, name its first key ("writer.threads"), which is what the
// user typed and what a suggestion can match.
std::string FirstLeafKey(std::string key, const toml::node* node) {
  while (node != nullptr && node->is_table() && !node->as_table()->empty()) {
    // The iterator owns the pair it yields, so both parts are read while it lives.
    const auto first = node->as_table()->begin();
    key = fmt::format("{}.{}", key, first->first.str());
    node = &first->second;
  }
  return key;
}

Status UnknownKey(std::string_view key, const toml::node* node) {
  const std::string full = FirstLeafKey(std::string(key), node);
  const std::string_view suggestion = Suggest(full);
  if (suggestion.empty()) {
    return Status::InvalidArgument(fmt::format("unknown key '{}'", full));
  }
  return Status::InvalidArgument(
      fmt::format("unknown key '{}' (did you mean '{}'?)", full, suggestion));
}

// --- Assigning a TOML value to a field ---

std::string Describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return fmt::format("a string (\"{}\")", node.as_string()->get());
    case toml::node_type::integer:
      return fmt::format("an integer ({})", node.as_integer()->get());
    case toml::node_type::floating_point:
      return fmt::format("a float ({})", node.as_floating_point()->get());
    case toml::node_type::boolean:
      return fmt::format("a boolean ({})", node.as_boolean()->get());
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

Status WrongType(std::string_view key, std::string_view expected, const toml::node& node) {
  return BadKey(key, fmt::format("expected {}, got {}", expected, Describe(node)));
}

Status GetInteger(std::string_view key, const toml::node& node, int64_t low, int64_t high,
                  int64_t* out) {
  const toml::value<int64_t>* value = node.as_integer();
  if (value == nullptr) return WrongType(key, "an integer", node);
  if (value->get() < low || value->get() > high) {
    return BadKey(key, fmt::format("must be in [{}, {}], got {}", low, high, value->get()));
  }
  *out = value->get();
  return Status::Ok();
}

template <typename Int>
Status AssignInteger(std::string_view key, const toml::node& node, Int* out) {
  // uint64_t fields stop at INT64_MAX: TOML cannot write larger integers.
  const int64_t low = std::numeric_limits<Int>::min();
  const int64_t high = std::min<uint64_t>(std::numeric_limits<Int>::max(), INT64_MAX);
  int64_t value;
  Status s = GetInteger(key, node, low, high, &value);
  if (s.ok()) *out = static_cast<Int>(value);
  return s;
}

Status AssignName(std::string_view key, const toml::node& node, std::string_view known,
                  bool (*set)(std::string_view, void*), void* out) {
  const toml::value<std::string>* value = node.as_string();
  if (value == nullptr) return WrongType(key, "a string", node);
  if (!set(value->get(), out)) {
    return BadKey(key, fmt::format("unknown value '{}' ({})", value->get(), known));
  }
  return Status::Ok();
}

Status AssignStrings(std::string_view key, const toml::node& node, std::vector<std::string>* out) {
  const toml::array* array = node.as_array();
  if (array == nullptr) return WrongType(key, "an array of strings", node);
  std::vector<std::string> strings;
  for (size_t i = 0; i < array->size(); i++) {
    const toml::value<std::string>* value = array->get(i)->as_string();
    if (value == nullptr)
      return WrongType(fmt::format("{}[{}]", key, i), "a string", *array->get(i));
    strings.push_back(value->get());
  }
  *out = std::move(strings);
  return Status::Ok();
}

Status AssignRange(std::string_view key, const toml::node& node, ValueBytesRange out) {
  const toml::array* array = node.as_array();
  if (array == nullptr || array->size() != 2) {
    return WrongType(key, "[min, max]", node);
  }
  uint32_t min = 0;
  uint32_t max = 0;
  Status s = AssignInteger(fmt::format("{}[0]", key), *array->get(0), &min);
  if (s.ok()) s = AssignInteger(fmt::format("{}[1]", key), *array->get(1), &max);
  if (!s.ok()) return s;
  *out.min = min;
  *out.max = max;
  return Status::Ok();
}

// One overload per kind of field; std::visit picks the one for the field's type.
struct Assigner {
  std::string_view key;
  const toml::node& node;

  Status operator()(uint64_t* out) const { return AssignInteger(key, node, out); }
  Status operator()(uint32_t* out) const { return AssignInteger(key, node, out); }
  Status operator()(int* out) const { return AssignInteger(key, node, out); }
  Status operator()(double* out) const {
    if (const auto* integer = node.as_integer()) {
      *out = static_cast<double>(integer->get());
    } else if (const auto* real = node.as_floating_point()) {
      *out = real->get();
    } else {
      return WrongType(key, "a number", node);
    }
    return Status::Ok();
  }
  Status operator()(bool* out) const {
    const toml::value<bool>* value = node.as_boolean();
    if (value == nullptr) return WrongType(key, "true or false", node);
    *out = value->get();
    return Status::Ok();
  }
  Status operator()(std::string* out) const {
    const toml::value<std::string>* value = node.as_string();
    if (value == nullptr) return WrongType(key, "a string", node);
    *out = value->get();
    return Status::Ok();
  }
  Status operator()(KeyDistribution* out) const {
    auto set = [](std::string_view name, void* target) {
      const std::optional<KeyDistribution> d = DistributionFromName(name);
      if (d) *static_cast<KeyDistribution*>(target) = *d;
      return d.has_value();
    };
    return AssignName(key, node, "uniform, zipfian, latest, hotspot", set, out);
  }
  Status operator()(engine::BackgroundMode* out) const {
    auto set = [](std::string_view name, void* target) {
      const std::optional<engine::BackgroundMode> mode = BackgroundModeFromName(name);
      if (mode) *static_cast<engine::BackgroundMode*>(target) = *mode;
      return mode.has_value();
    };
    return AssignName(key, node, "thread, manual", set, out);
  }
  Status operator()(std::vector<std::string>* out) const { return AssignStrings(key, node, out); }
  Status operator()(ValueBytesRange out) const { return AssignRange(key, node, out); }
};

Status Assign(const Field& field, const toml::node& node, WorkloadSpec* spec) {
  return std::visit(Assigner{field.key, node}, field.ref(*spec));
}

// --- Fault rules ---

Status ParseRuleAt(std::string_view key, std::string_view text, std::vector<faults::Rule>* out) {
  Result<faults::Rule> rule = faults::ParseRule(text);
  if (!rule.ok()) return rule.status().WithContext(key);
  out->push_back(std::move(rule.value()));
  return Status::Ok();
}

Status ParseFaultEntry(const std::string& key, const toml::node& node,
                       std::vector<faults::Rule>* out) {
  if (const auto* text = node.as_string()) return ParseRuleAt(key, text->get(), out);
  const toml::table* table = node.as_table();
  if (table == nullptr) return WrongType(key, "a table with rule = \"...\"", node);
  for (const auto& [name, value] : *table) {
    if (name.str() != "rule") {
      return BadKey(key, fmt::format("unknown key '{}' (a [[faults]] table holds only "
                                  "rule = \"POINT:ACTION[:TRIGGER][@WINDOW]\")",
                                  name.str()));
    }
  }
  const toml::node* rule = table->get("rule");
  if (rule == nullptr) return BadKey(key, "missing rule = \"POINT:ACTION[:TRIGGER][@WINDOW]\"");
  if (!rule->is_string()) return WrongType(key + ".rule", "a string", *rule);
  return ParseRuleAt(key + ".rule", rule->as_string()->get(), out);
}

Status AssignFaults(const toml::node& node, std::vector<faults::Rule>* out) {
  const toml::array* array = node.as_array();
  if (array == nullptr) return WrongType(kFaultsKey, "[[faults]] tables", node);
  std::vector<faults::Rule> rules;
  for (size_t i = 0; i < array->size(); i++) {
    Status s = ParseFaultEntry(fmt::format("faults[{}]", i), *array->get(i), &rules);
    if (!s.ok()) return s;
  }
  *out = std::move(rules);
  return Status::Ok();
}

// --- Walking a document ---

Status ApplyTable(const toml::table& table, std::string_view prefix, WorkloadSpec* spec);
Status AssignRandomize(const toml::node& node, std::vector<RandomizeRange>* out);

Status ApplyEntry(const std::string& key, const toml::node& node, WorkloadSpec* spec) {
  if (key == kFaultsKey) return AssignFaults(node, &spec->faults);
  if (key == kRandomizeKey) return AssignRandomize(node, &spec->randomize);
  if (IsSection(key) && (node.is_table() || FindField(key) == nullptr)) {
    const toml::table* table = node.as_table();
    if (table == nullptr) return WrongType(key, fmt::format("a table ([{}])", key), node);
    return ApplyTable(*table, key, spec);
  }
  const Field* field = FindField(key);
  if (field == nullptr) return UnknownKey(key, &node);
  return Assign(*field, node, spec);
}

Status ApplyTable(const toml::table& table, std::string_view prefix, WorkloadSpec* spec) {
  if (prefix.empty() && table.contains("value_bytes") &&
      (table.contains("value_bytes_min") || table.contains("value_bytes_max"))) {
    return BadKey("value_bytes", "set value_bytes or value_bytes_min/value_bytes_max, not both");
  }
  for (const auto& [name, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(name.str()) : fmt::format("{}.{}", prefix, name.str());
    Status s = ApplyEntry(key, node, spec);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<toml::table> ParseToml(std::string_view text, std::string_view source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", source_name, e.source().begin.line,
                                               e.source().begin.column, e.description()));
  }
}

std::string_view Stem(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
  const size_t dot = path.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? path : path.substr(0, dot);
}

// --- Overrides ---

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    const size_t end = text.find(separator);
    const std::string_view part = Trim(text.substr(0, end));
    if (!part.empty()) parts.push_back(part);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parts;
}

// VALUE as a TOML value, or nullopt when it is not one (e.g. a bare word).
std::optional<toml::table> ParseTomlValue(std::string_view value) {
  try {
    toml::table doc = toml::parse(fmt::format("v = {}", value));
    if (doc.size() != 1 || !doc.contains("v")) return std::nullopt;
    return doc;
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
}

// The kind of value `field` holds (its FieldRef alternative), read from a throwaway spec.
size_t KindOf(const Field& field) {
  WorkloadSpec probe;
  return field.ref(probe).index();
}

template <typename T>
bool Holds(const Field& field) {
  return KindOf(field) == FieldRef(static_cast<T>(nullptr)).index();
}

// Keys whose values are text take a bare word as itself (distribution=zipfian), and a list of
// them separated by commas (engine.mutations=iterator-no-pin,unref-twice).
bool TakesText(const Field& field) {
  return Holds<std::string*>(field) || Holds<KeyDistribution*>(field) ||
         Holds<engine::BackgroundMode*>(field) || Holds<std::vector<std::string>*>(field);
}

toml::table BareWordValue(const Field& field, std::string_view value) {
  toml::table doc;
  if (Holds<std::vector<std::string>*>(field)) {
    toml::array words;
    for (std::string_view word : Split(value, ',')) words.push_back(std::string(word));
    doc.insert("v", std::move(words));
  } else {
    doc.insert("v", std::string(value));
  }
  return doc;
}

Status OverrideField(std::string_view key, std::string_view value, WorkloadSpec* spec) {
  if (key == kRandomizeKey) {
    return BadKey(key, "is a table of ranges: write a [randomize] table in a config file");
  }
  if (IsSection(key) && FindField(key) == nullptr) {
    const auto first = std::find_if(Fields().begin(), Fields().end(),
                                    [&](const Field& f) { return SectionOf(f.key) == key; });
    return BadKey(key, fmt::format("is a table; set one of its keys, e.g. {}=VALUE", first->key));
  }
  const Field* field = FindField(key);
  if (field == nullptr) return UnknownKey(key, nullptr);
  std::optional<toml::table> doc = ParseTomlValue(value);
  const bool parsed_as_text = doc && (doc->get("v")->is_string() || doc->get("v")->is_array());
  // A value that is not TOML is a bare word: the value itself for text keys, and for the others
  // it fails the type check with "expected an integer, got a string ("two")".
  if (!doc || (TakesText(*field) && !parsed_as_text)) doc = BareWordValue(*field, value);
  return Assign(*field, *doc->get("v"), spec);
}

Status OverrideFaults(std::string_view key, std::string_view value, WorkloadSpec* spec) {
  // A quoted value is a TOML string (as a [randomize] one_of lists it): its content is the rules.
  std::string unquoted;
  if (const std::optional<toml::table> doc = ParseTomlValue(value);
      doc && doc->get("v")->is_string()) {
    unquoted = doc->get("v")->as_string()->get();
    value = unquoted;
  }
  if (key == "faults") spec->faults.clear();
  const std::vector<std::string_view> rules =
      key == "faults" ? Split(value, ';') : std::vector<std::string_view>{value};
  for (size_t i = 0; i < rules.size(); i++) {
    Status s = ParseRuleAt(kFaultsKey, rules[i], &spec->faults);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// --- Fault files ---

// True when the first line that is neither blank nor a comment starts a TOML table.
bool LooksLikeToml(std::string_view text) {
  for (std::string_view line : Split(text, '\n')) {
    if (!line.starts_with('#')) return line.starts_with('[');
  }
  return false;
}

Result<std::vector<faults::Rule>> ParseFaultLines(std::string_view text,
                                                  std::string_view source_name) {
  std::vector<faults::Rule> rules;
  size_t line_number = 0;
  while (!text.empty()) {
    line_number++;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    Status s = ParseRuleAt(fmt::format("{}:{}", source_name, line_number), line, &rules);
    if (!s.ok()) return s;
  }
  return rules;
}

Result<std::vector<faults::Rule>> ParseFaultTablesFile(std::string_view text,
                                                       std::string_view source_name) {
  Result<toml::table> table = ParseToml(text, source_name);
  if (!table.ok()) return table.status();
  std::vector<faults::Rule> rules;
  for (const auto& [name, node] : table.value()) {
    Status s = name.str() == kFaultsKey
                   ? AssignFaults(node, &rules)
                   : BadKey(name.str(), "a faults file holds only [[faults]] tables");
    if (!s.ok()) return s.WithContext(source_name);
  }
  return rules;
}

// --- Writing TOML ---

std::string TomlString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// The shortest text that reads back as the same double, always with a '.' or an exponent so
// TOML reads a float.
std::string TomlDouble(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";
  return text;
}

struct Formatter {
  std::string operator()(const uint64_t* v) const { return fmt::format("{}", *v); }
  std::string operator()(const uint32_t* v) const { return fmt::format("{}", *v); }
  std::string operator()(const int* v) const { return fmt::format("{}", *v); }
  std::string operator()(const double* v) const { return TomlDouble(*v); }
  std::string operator()(const bool* v) const { return *v ? "true" : "false"; }
  std::string operator()(const std::string* v) const { return TomlString(*v); }
  std::string operator()(const KeyDistribution* v) const {
    return TomlString(DistributionName(*v));
  }
  std::string operator()(const engine::BackgroundMode* v) const {
    return TomlString(BackgroundModeName(*v));
  }
  std::string operator()(const std::vector<std::string>* v) const {
    std::string out = "[";
    for (size_t i = 0; i < v->size(); i++) out += (i ? ", " : "") + TomlString((*v)[i]);
    return out + "]";
  }
  std::string operator()(ValueBytesRange v) const {
    return fmt::format("[{}, {}]", *v.min, *v.max);
  }
};

// --- [randomize] ---

constexpr std::array<std::string_view, 4> kRandomizeFields = {"min", "max", "log", "one_of"};

std::string RandomizeName(std::string_view key) { return fmt::format("randomize.{}", key); }

// A one_of value as TOML text, written the way ToToml writes values, so text read back from
// ToToml's output is the same text.
Result<std::string> ValueText(std::string_view name, const toml::node& node) {
  if (const auto* integer = node.as_integer()) return fmt::format("{}", integer->get());
  if (const auto* real = node.as_floating_point()) return TomlDouble(real->get());
  if (const auto* boolean = node.as_boolean()) {
    return std::string(boolean->get() ? "true" : "false");
  }
  if (const auto* text = node.as_string()) return TomlString(text->get());
  const toml::array* array = node.as_array();
  if (array == nullptr) return WrongType(name, "a number, string, boolean or array", node);
  std::string out = "[";
  for (size_t i = 0; i < array->size(); i++) {
    Result<std::string> item = ValueText(fmt::format("{}[{}]", name, i), *array->get(i));
    if (!item.ok()) return item.status();
    out += (i ? ", " : "") + item.value();
  }
  return out + "]";
}

Status ReadBound(std::string_view name, const toml::node& node, double* out) {
  if (const auto* integer = node.as_integer()) {
    // Beyond 2^53 a double would silently hold a different whole number.
    if (std::llabs(integer->get()) > static_cast<int64_t>(kRandomizeBoundMax)) {
      return BadKey(name, fmt::format("must be within +-{}, got {}",
                                   static_cast<int64_t>(kRandomizeBoundMax), integer->get()));
    }
    *out = static_cast<double>(integer->get());
  } else if (const auto* real = node.as_floating_point()) {
    *out = real->get();
  } else {
    return WrongType(name, "a number", node);
  }
  return Status::Ok();
}

Status ReadOneOf(std::string_view name, const toml::node& node, std::vector<std::string>* out) {
  const toml::array* array = node.as_array();
  const std::string field = fmt::format("{}.one_of", name);
  if (array == nullptr) return WrongType(field, "an array of values", node);
  if (array->empty()) return BadKey(name, "one_of lists no values");
  for (size_t i = 0; i < array->size(); i++) {
    Result<std::string> text = ValueText(fmt::format("{}[{}]", field, i), *array->get(i));
    if (!text.ok()) return text.status();
    out->push_back(std::move(text.value()));
  }
  return Status::Ok();
}

Status ReadRange(std::string_view name, const toml::table& table, RandomizeRange* range) {
  if (!table.contains("min") || !table.contains("max")) {
    return BadKey(name, "needs { min = .., max = .. } or { one_of = [..] }");
  }
  Status s = ReadBound(fmt::format("{}.min", name), *table.get("min"), &range->min);
  if (s.ok()) s = ReadBound(fmt::format("{}.max", name), *table.get("max"), &range->max);
  if (!s.ok()) return s;
  if (const toml::node* log = table.get("log")) {
    if (!log->is_boolean()) return WrongType(fmt::format("{}.log", name), "true or false", *log);
    range->log = log->as_boolean()->get();
  }
  return Status::Ok();
}

Status ReadRandomizeEntry(const std::string& key, const toml::table& table,
                          std::vector<RandomizeRange>* out) {
  const std::string name = RandomizeName(key);
  for (const auto& [field, value] : table) {
    if (std::find(kRandomizeFields.begin(), kRandomizeFields.end(), field.str()) ==
        kRandomizeFields.end()) {
      return BadKey(name,
                 fmt::format("unknown field '{}' (an entry holds min, max and log, or one_of)",
                             field.str()));
    }
  }
  RandomizeRange range;
  range.key = key;
  const toml::node* one_of = table.get("one_of");
  if (one_of != nullptr &&
      (table.contains("min") || table.contains("max") || table.contains("log"))) {
    return BadKey(name, "give min/max (and log) or one_of, not both");
  }
  Status s =
      one_of != nullptr ? ReadOneOf(name, *one_of, &range.one_of) : ReadRange(name, table, &range);
  if (s.ok()) out->push_back(std::move(range));
  return s;
}

// A table is an entry when it holds an entry's fields, or when it is named by a key [randomize]
// takes and nests no table (a dotted faults.rate_scale makes `faults` a table holding one).
bool IsRandomizeEntry(const std::string& key, const toml::table& table) {
  for (std::string_view field : kRandomizeFields) {
    if (table.contains(field)) return true;
  }
  return RandomizeKeyRank(key).has_value() &&
         std::none_of(table.begin(), table.end(),
                      [](const auto& item) { return item.second.is_table(); });
}

Status NotAnEntry(const std::string& key, const toml::node& node) {
  if (RandomizeKeyRank(key)) {
    return WrongType(RandomizeName(key), "{ min = .., max = .. } or { one_of = [..] }", node);
  }
  return BadKey(RandomizeName(key), UnknownKey(key, nullptr).message());
}

// Dotted keys (engine.memtable_bytes = ..) nest tables; the walk joins the names back.
Status ReadRandomizeTable(const toml::table& table, const std::string& prefix,
                          std::vector<RandomizeRange>* out) {
  for (const auto& [name, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(name.str()) : fmt::format("{}.{}", prefix, name.str());
    const toml::table* nested = node.as_table();
    Status s = nested == nullptr || (nested->empty() && !RandomizeKeyRank(key))
                   ? NotAnEntry(key, node)
               : IsRandomizeEntry(key, *nested) ? ReadRandomizeEntry(key, *nested, out)
                                                : ReadRandomizeTable(*nested, key, out);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status AssignRandomize(const toml::node& node, std::vector<RandomizeRange>* out) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return WrongType(kRandomizeKey, "a table ([randomize])", node);
  std::vector<RandomizeRange> ranges;
  Status s = ReadRandomizeTable(*table, "", &ranges);
  if (!s.ok()) return s;
  // toml++ keeps a table's keys sorted, not in the order written: draws take the canonical order
  // (unknown keys last, for Validate to name).
  auto rank = [](const RandomizeRange& range) {
    return RandomizeKeyRank(range.key).value_or(std::numeric_limits<size_t>::max());
  };
  std::stable_sort(
      ranges.begin(), ranges.end(),
      [&](const RandomizeRange& a, const RandomizeRange& b) { return rank(a) < rank(b); });
  *out = std::move(ranges);
  return Status::Ok();
}

std::string RandomizeEntryText(const RandomizeRange& range) {
  // Quoted, so that "faults" and "faults.rate_scale" can both be written.
  const std::string key =
      range.key.find('.') == std::string::npos ? range.key : TomlString(range.key);
  if (!range.one_of.empty()) {
    std::string values;
    for (size_t i = 0; i < range.one_of.size(); i++) values += (i ? ", " : "") + range.one_of[i];
    return fmt::format("{} = {{ one_of = [{}] }}\n", key, values);
  }
  return fmt::format("{} = {{ min = {}, max = {}{} }}\n", key,
                     RandomizeNumberText(range.key, range.min),
                     RandomizeNumberText(range.key, range.max), range.log ? ", log = true" : "");
}

}  // namespace

std::optional<std::string> CanonicalValueText(std::string_view text) {
  const std::optional<toml::table> doc = ParseTomlValue(text);
  if (!doc) return std::nullopt;
  Result<std::string> canonical = ValueText("v", *doc->get("v"));
  if (!canonical.ok()) return std::nullopt;
  return canonical.value();
}

Result<WorkloadSpec> ParseWorkload(std::string_view toml_text, std::string_view source_name) {
  Result<toml::table> table = ParseToml(toml_text, source_name);
  if (!table.ok()) return table.status();
  WorkloadSpec spec;
  spec.name = std::string(Stem(source_name));
  Status s = ApplyTable(table.value(), "", &spec);
  if (s.ok()) s = spec.Validate();
  if (!s.ok()) return s.WithContext(source_name);
  return spec;
}

Status ApplyOverride(WorkloadSpec* spec, std::string_view assignment) {
  const size_t equals = assignment.find('=');
  if (equals == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("'{}': expected KEY=VALUE", assignment));
  }
  const std::string_view key = Trim(assignment.substr(0, equals));
  const std::string_view value = Trim(assignment.substr(equals + 1));
  WorkloadSpec updated = *spec;
  const Status s = key == "faults" || key == "faults+" ? OverrideFaults(key, value, &updated)
                                                       : OverrideField(key, value, &updated);
  if (s.ok()) *spec = std::move(updated);
  return s;
}

std::string ToToml(const WorkloadSpec& spec) {
  WorkloadSpec fields = spec;  // Field::ref wants a mutable spec; this one is only read.
  std::string out =
      "# A vstress workload: the effective config. `vstress run --config FILE` replays it;\n"
      "# `--set KEY=VALUE` overrides one key.\n";
  std::string_view section;
  for (const Field& field : Fields()) {
    if (!field.written) continue;
    if (SectionOf(field.key) != section) {
      section = SectionOf(field.key);
      out += fmt::format("\n[{}]\n", section);
    }
    out += fmt::format("# {}\n{} = {}\n", field.doc, LeafOf(field.key),
                       std::visit(Formatter{}, field.ref(fields)));
  }
  for (const faults::Rule& rule : spec.faults) {
    out += fmt::format("\n[[faults]]\nrule = {}\n", TomlString(rule.ToString()));
  }
  if (!spec.randomize.empty()) {
    out +=
        "\n# What `vstress sweep --randomize` draws for each shard: KEY = { min = .., max = .. "
        "[, log = true] }\n# or { one_of = [..] }. A plain run ignores this table.\n[randomize]\n";
    for (const RandomizeRange& range : spec.randomize) out += RandomizeEntryText(range);
  }
  return out;
}

Result<std::vector<faults::Rule>> ParseFaultsFile(std::string_view text,
                                                  std::string_view source_name) {
  return LooksLikeToml(text) ? ParseFaultTablesFile(text, source_name)
                             : ParseFaultLines(text, source_name);
}

std::vector<WorkloadKeyInfo> WorkloadKeys() {
  std::vector<WorkloadKeyInfo> keys;
  for (const Field& field : Fields()) {
    const KeyType type = Holds<uint64_t*>(field) || Holds<uint32_t*>(field) || Holds<int*>(field)
                             ? KeyType::kWholeNumber
                         : Holds<double*>(field) ? KeyType::kRealNumber
                                                 : KeyType::kOther;
    keys.push_back({field.key, field.doc, type});
  }
  keys.push_back({kFaultsKey, kFaultsDoc});
  keys.push_back({kRandomizeKey, kRandomizeDoc});
  return keys;
}

}  // namespace workloads
