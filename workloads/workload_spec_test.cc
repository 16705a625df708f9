// Unit tests of WorkloadSpec: validation, TOML parsing, --set overrides and the ToToml round trip.
#include "workloads/workload_spec.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

namespace workloads {
namespace {

// The error message ParseWorkload gives for `toml` (empty if it parsed).
std::string ParseError(std::string_view toml) {
  engine::Result<WorkloadSpec> spec = ParseWorkload(toml, "config.toml");
  if (spec.ok()) return "";
  EXPECT_TRUE(spec.status().IsInvalidArgument()) << spec.status().ToString();
  return spec.status().message();
}

// The error message Validate gives after `change` is applied to a default spec.
template <typename Change>
std::string ValidateError(Change change) {
  WorkloadSpec spec;
  change(spec);
  const engine::Status s = spec.Validate();
  return s.ok() ? "" : s.message();
}

// The defaults are a valid workload, and they keep the engine small enough to compact often.
TEST(WorkloadSpecTest, DefaultsValidate) {
  const WorkloadSpec spec;
  EXPECT_TRUE(spec.Validate().ok()) << spec.Validate().ToString();
  EXPECT_EQ(256u << 10, spec.engine.memtable_bytes);
  EXPECT_EQ(128u << 10, spec.engine.table_target_bytes);
  EXPECT_EQ(1u << 20, spec.engine.level_base_bytes);
  EXPECT_EQ(4, spec.engine.level0_compaction_trigger);
}

// Keys a TOML sets are applied, the rest keep their defaults, and the name comes from the file.
TEST(WorkloadSpecTest, ParsesKeysAndKeepsDefaults) {
  engine::Result<WorkloadSpec> spec = ParseWorkload(R"(
seed = 7
distribution = "hotspot"
value_bytes = [8, 64]
[writers]
sync_ratio = 0.5
[engine]
memtable_bytes = 65536
background = "manual"
mutations = ["iterator-no-pin"]
[[faults]]
rule = "engine/file/delete:error:p=0.3"
)",
                                                    "dir/my-workload.toml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ("my-workload", spec->name);
  EXPECT_EQ(7u, spec->seed);
  EXPECT_EQ(KeyDistribution::kHotspot, spec->distribution);
  EXPECT_EQ(8u, spec->value_bytes_min);
  EXPECT_EQ(64u, spec->value_bytes_max);
  EXPECT_DOUBLE_EQ(0.5, spec->writers.sync_ratio);
  EXPECT_EQ(WriterSpec{}.threads, spec->writers.threads);
  EXPECT_EQ(65536u, spec->engine.memtable_bytes);
  EXPECT_EQ(engine::BackgroundMode::kManual, spec->engine.background);
  EXPECT_TRUE(spec->engine.ToOptions().mutations.Has(engine::Mutation::kIteratorNoPin));
  ASSERT_EQ(1u, spec->faults.size());
  EXPECT_EQ("engine/file/delete:error:p=0.3", spec->faults[0].ToString());
}

// An unknown key is named in full, with the key that was probably meant.
TEST(WorkloadSpecTest, UnknownKeyIsNamedWithSuggestion) {
  EXPECT_EQ("config.toml: unknown key 'writer.threads' (did you mean 'writers.threads'?)",
            ParseError("[writer]\nthreads = 3\n"));
  EXPECT_EQ("config.toml: unknown key 'writers.thread' (did you mean 'writers.threads'?)",
            ParseError("[writers]\nthread = 3\n"));
  EXPECT_EQ("config.toml: unknown key 'sync_ratio' (did you mean 'writers.sync_ratio'?)",
            ParseError("sync_ratio = 0.5\n"));
  EXPECT_EQ("config.toml: unknown key 'colour'", ParseError("colour = 'blue'\n"));
}

// A value of the wrong type names the key, what it expected and what it got.
TEST(WorkloadSpecTest, WrongTypeIsNamed) {
  EXPECT_EQ("config.toml: writers.threads: expected an integer, got a string (\"two\")",
            ParseError("[writers]\nthreads = \"two\"\n"));
  EXPECT_EQ("config.toml: zipf_theta: expected a number, got a boolean (true)",
            ParseError("zipf_theta = true\n"));
  EXPECT_EQ("config.toml: writers: expected a table ([writers]), got an integer (3)",
            ParseError("writers = 3\n"));
  EXPECT_EQ("config.toml: value_bytes: expected [min, max], got an integer (5)",
            ParseError("value_bytes = 5\n"));
  EXPECT_EQ("config.toml: engine.mutations[0]: expected a string, got an integer (1)",
            ParseError("[engine]\nmutations = [1]\n"));
}

// Out-of-range values are refused by Validate with the key, the allowed range and the value.
TEST(WorkloadSpecTest, OutOfRangeIsNamed) {
  EXPECT_EQ("config.toml: writers.sync_ratio: must be in [0, 1], got 1.5",
            ParseError("[writers]\nsync_ratio = 1.5\n"));
  EXPECT_EQ("config.toml: scanners.threads: must be in [0, 64], got 65",
            ParseError("[scanners]\nthreads = 65\n"));
  EXPECT_EQ("config.toml: seed: must be in [0, 9223372036854775807], got -1",
            ParseError("seed = -1\n"));
  EXPECT_EQ("config.toml: writers.batch_ops_max: must be in [0, 4294967295], got 5000000000",
            ParseError("[writers]\nbatch_ops_max = 5000000000\n"));
}

// A distribution or background name that does not exist is refused, listing the ones that do.
TEST(WorkloadSpecTest, BadEnumNameIsNamed) {
  EXPECT_EQ("config.toml: distribution: unknown value 'zipf' (uniform, zipfian, latest, hotspot)",
            ParseError("distribution = \"zipf\"\n"));
  EXPECT_EQ("config.toml: engine.background: unknown value 'fiber' (thread, manual)",
            ParseError("[engine]\nbackground = \"fiber\"\n"));
}

// Bad fault rules and malformed [[faults]] tables name their index and the problem.
TEST(WorkloadSpecTest, BadFaultRuleIsNamed) {
  const std::string unknown_point = ParseError("[[faults]]\nrule = \"engine/nope:error\"\n");
  EXPECT_TRUE(
      unknown_point.starts_with("config.toml: faults[0].rule: fault rule 'engine/nope:error"))
      << unknown_point;
  EXPECT_NE(std::string::npos, unknown_point.find("matches no fault point")) << unknown_point;
  const std::string second = ParseError(
      "[[faults]]\nrule = \"engine/wal/sync:error\"\n"
      "[[faults]]\nrule = \"engine/wal/sync:error:p=2\"\n");
  EXPECT_TRUE(second.starts_with("config.toml: faults[1].rule: ")) << second;
  EXPECT_TRUE(ParseError("[[faults]]\npoint = \"engine/wal/sync\"\n")
                  .starts_with("config.toml: faults[0]: unknown key 'point'"));
  EXPECT_EQ("config.toml: faults[0]: missing rule = \"POINT:ACTION[:TRIGGER][@WINDOW]\"",
            ParseError("[[faults]]\n"));
  EXPECT_EQ("config.toml: faults: expected [[faults]] tables, got a string (\"x\")",
            ParseError("faults = \"x\"\n"));
}

// A TOML syntax error gives the source, line and column.
TEST(WorkloadSpecTest, SyntaxErrorGivesLine) {
  const std::string error = ParseError("seed = 1\nkey_space = = 3\n");
  EXPECT_TRUE(error.starts_with("config.toml:2:")) << error;
}

// Engine option rules are the engine's own, reported under "engine.".
TEST(WorkloadSpecTest, EngineRulesAreNamedUnderEngine) {
  EXPECT_EQ("engine.level0_slowdown_trigger: must be >= level0_compaction_trigger",
            ValidateError([](WorkloadSpec& s) { s.engine.level0_slowdown_trigger = 2; }));
  EXPECT_EQ("engine.memtable_bytes: must be at least 4096",
            ValidateError([](WorkloadSpec& s) { s.engine.memtable_bytes = 100; }));
  EXPECT_EQ("engine.mutations: unknown mutation 'nope' (see `vstress mutants`)",
            ValidateError([](WorkloadSpec& s) { s.engine.mutations = {"nope"}; }));
  EXPECT_EQ("engine.mutations: 'unref-twice' is listed twice", ValidateError([](WorkloadSpec& s) {
              s.engine.mutations = {"unref-twice", "unref-twice"};
            }));
}

// Each cross-field and range rule Validate owns names its key.
TEST(WorkloadSpecTest, ValidateNamesEachRule) {
  EXPECT_EQ("key_space: must be in [1, 100000000], got 0",
            ValidateError([](WorkloadSpec& s) { s.key_space = 0; }));
  EXPECT_EQ("zipf_theta: must be in (0, 1), got 1",
            ValidateError([](WorkloadSpec& s) { s.zipf_theta = 1; }));
  EXPECT_EQ("hotspot_key_fraction: must be in (0, 1], got 0",
            ValidateError([](WorkloadSpec& s) { s.hotspot_key_fraction = 0; }));
  EXPECT_EQ("value_bytes_max: must be >= value_bytes_min (64), got 32",
            ValidateError([](WorkloadSpec& s) {
              s.value_bytes_min = 64;
              s.value_bytes_max = 32;
            }));
  EXPECT_EQ("duration_seconds: must be in (0, 604800] when ops = 0, got 0",
            ValidateError([](WorkloadSpec& s) { s.duration_seconds = 0; }));
  EXPECT_EQ("", ValidateError([](WorkloadSpec& s) {
              s.duration_seconds = 0;
              s.ops = 1000;
            }));
  EXPECT_EQ("threads: writers, readers, scanners and snapshot_readers all have 0 threads",
            ValidateError([](WorkloadSpec& s) {
              s.writers.threads = s.readers.threads = s.scanners.threads = 0;
              s.snapshot_readers.threads = 0;
            }));
  EXPECT_EQ("writers: put_weight, delete_weight and batch_weight are all 0 but threads > 0",
            ValidateError([](WorkloadSpec& s) {
              s.writers.put_weight = s.writers.delete_weight = s.writers.batch_weight = 0;
            }));
  EXPECT_EQ("writers.delete_weight: must be a finite number >= 0, got -1",
            ValidateError([](WorkloadSpec& s) { s.writers.delete_weight = -1; }));
  EXPECT_EQ("scanners.hold_seconds_max: must be in (0, 3600], got nan",
            ValidateError([](WorkloadSpec& s) { s.scanners.hold_seconds_max = std::nan(""); }));
  EXPECT_EQ("seed: must be in [0, 9223372036854775807], got 18446744073709551615",
            ValidateError([](WorkloadSpec& s) { s.seed = UINT64_MAX; }));
  EXPECT_EQ("watchdog_seconds: must exceed the longest fault delay (5s), got 2",
            ValidateError([](WorkloadSpec& s) {
              s.watchdog_seconds = 2;
              s.faults.push_back(faults::ParseRule("engine/wal/sync:delay=5s:p=0.1").value());
            }));
}

// value_bytes and value_bytes_min/max are two spellings of one setting; using both is refused.
TEST(WorkloadSpecTest, ValueBytesSpellingsConflict) {
  EXPECT_EQ(
      "config.toml: value_bytes: set value_bytes or value_bytes_min/value_bytes_max, not both",
      ParseError("value_bytes = [8, 64]\nvalue_bytes_max = 32\n"));
  engine::Result<WorkloadSpec> spec = ParseWorkload("value_bytes_max = 512\n", "c.toml");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(512u, spec->value_bytes_max);
}

// --set reaches nested keys, takes bare words for text keys, and edits the fault list.
TEST(WorkloadSpecTest, ApplyOverrideSetsNestedKeys) {
  WorkloadSpec spec;
  for (const char* assignment :
       {"engine.memtable_bytes=65536", "writers.sync_ratio=0.5", "distribution=zipfian",
        "value_bytes = [8, 64]", "engine.background=manual",
        "engine.mutations=iterator-no-pin,unref-twice", "description=a b c", "seed=42",
        "duration_seconds=5", "engine.verify_checksums=false",
        "faults+=engine/file/delete:error:p=0.5", "faults+=engine/wal/sync:delay=1ms:every=2"}) {
    ASSERT_TRUE(ApplyOverride(&spec, assignment).ok())
        << assignment << ": " << ApplyOverride(&spec, assignment).ToString();
  }
  EXPECT_EQ(65536u, spec.engine.memtable_bytes);
  EXPECT_DOUBLE_EQ(0.5, spec.writers.sync_ratio);
  EXPECT_EQ(KeyDistribution::kZipfian, spec.distribution);
  EXPECT_EQ(8u, spec.value_bytes_min);
  EXPECT_EQ(64u, spec.value_bytes_max);
  EXPECT_EQ(engine::BackgroundMode::kManual, spec.engine.background);
  EXPECT_EQ((std::vector<std::string>{"iterator-no-pin", "unref-twice"}), spec.engine.mutations);
  EXPECT_EQ("a b c", spec.description);
  EXPECT_EQ(42u, spec.seed);
  EXPECT_DOUBLE_EQ(5.0, spec.duration_seconds);
  EXPECT_FALSE(spec.engine.verify_checksums);
  ASSERT_EQ(2u, spec.faults.size());
  EXPECT_EQ("engine/wal/sync:delay=1ms:every=2", spec.faults[1].ToString());
  EXPECT_TRUE(spec.Validate().ok()) << spec.Validate().ToString();

  ASSERT_TRUE(ApplyOverride(&spec, "distribution=\"latest\"").ok());
  EXPECT_EQ(KeyDistribution::kLatest, spec.distribution);
  ASSERT_TRUE(ApplyOverride(&spec, "faults=engine/manifest/sync:error;engine/wal/sync:error").ok());
  EXPECT_EQ(2u, spec.faults.size());
  EXPECT_EQ("engine/manifest/sync:error:once", spec.faults[0].ToString());
  ASSERT_TRUE(ApplyOverride(&spec, "faults=").ok());
  EXPECT_TRUE(spec.faults.empty());
}

// A bad --set names the key and leaves the spec unchanged.
TEST(WorkloadSpecTest, ApplyOverrideErrorsNameKeyAndChangeNothing) {
  WorkloadSpec spec;
  const WorkloadSpec before = spec;
  struct Case {
    const char* assignment;
    const char* message;
  };
  for (const Case& c : {
           Case{"writers.threads", "'writers.threads': expected KEY=VALUE"},
           Case{"writer.threads=3",
                "unknown key 'writer.threads' (did you mean 'writers.threads'?)"},
           Case{"writers.threads=two",
                "writers.threads: expected an integer, got a string (\"two\")"},
           Case{"writers=3",
                "writers: is a table; set one of its keys, e.g. writers.threads=VALUE"},
           Case{"engine=1",
                "engine: is a table; set one of its keys, e.g. engine.memtable_bytes=VALUE"},
           Case{"seed=-1", "seed: must be in [0, 9223372036854775807], got -1"},
           Case{"distribution=zipf",
                "distribution: unknown value 'zipf' (uniform, zipfian, latest, hotspot)"},
           Case{"value_bytes=[1]", "value_bytes: expected [min, max], got an array"},
       }) {
    const engine::Status s = ApplyOverride(&spec, c.assignment);
    EXPECT_TRUE(s.IsInvalidArgument()) << c.assignment;
    EXPECT_EQ(c.message, s.message()) << c.assignment;
  }
  const engine::Status bad_rule = ApplyOverride(&spec, "faults+=engine/nope:error");
  EXPECT_TRUE(bad_rule.message().starts_with("faults: fault rule 'engine/nope:error"))
      << bad_rule.message();
  EXPECT_TRUE(spec == before);
}

// A --faults file may be [[faults]] tables or one rule per line; errors name the file and place.
TEST(WorkloadSpecTest, ParsesFaultsFiles) {
  auto lines = ParseFaultsFile(
      "# delete faults\n\nengine/file/delete:error:p=0.3  # often\nengine/wal/sync:delay=1ms\n",
      "rules.txt");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  ASSERT_EQ(2u, lines->size());
  EXPECT_EQ("engine/file/delete:error:p=0.3", (*lines)[0].ToString());
  EXPECT_EQ("engine/wal/sync:delay=1ms:once", (*lines)[1].ToString());

  auto tables = ParseFaultsFile("# faults\n[[faults]]\nrule = \"engine/manifest/sync:error\"\n",
                                "faults.toml");
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(1u, tables->size());
  EXPECT_EQ("engine/manifest/sync", (*tables)[0].pattern);

  auto bad_line = ParseFaultsFile("engine/wal/sync:error\n\nengine/nope:error\n", "rules.txt");
  ASSERT_FALSE(bad_line.ok());
  EXPECT_TRUE(bad_line.status().message().starts_with("rules.txt:3: fault rule 'engine/nope"))
      << bad_line.status().message();
  auto bad_key =
      ParseFaultsFile("[[faults]]\nrule = \"engine/wal/sync:error\"\n[writers]\n", "faults.toml");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ("faults.toml: writers: a faults file holds only [[faults]] tables",
            bad_key.status().message());
}

// ToToml writes every setting so that parsing it back gives an equal spec, awkward text included.
TEST(WorkloadSpecTest, ToTomlRoundTrips) {
  WorkloadSpec spec;
  spec.name = "odd \"name\"";
  spec.description = "line one\nline two \\ tab\t and unicode \u00e9 and \x01";
  spec.seed = 9223372036854775807ULL;
  spec.duration_seconds = 0.1;
  spec.ops = 123456789;
  spec.key_space = kKeySpaceMax;
  spec.distribution = KeyDistribution::kLatest;
  spec.zipf_theta = 1e-7;
  spec.hotspot_key_fraction = 1.0 / 3;
  spec.value_bytes_min = 1;
  spec.value_bytes_max = kValueBytesMax;
  spec.writers = {5, 0.25, 0, 3, 17, 1};
  spec.readers.threads = 0;
  spec.scanners = {3, 1, 3599.5, 0, 0.125};
  spec.snapshot_readers = {4, 1, 0.001};
  spec.engine.background = engine::BackgroundMode::kManual;
  spec.engine.mutations = {"unref-twice", "iterator-no-pin"};
  spec.engine.sync_writes_default = true;
  spec.engine.bloom_bits_per_key = 0;
  spec.faults.push_back(
      faults::ParseRule("fs/wal/append:torn:nth=100@after_ops=1000,before=10s").value());
  spec.faults.push_back(faults::ParseRule("engine/compaction/*:delay=5ms:every=3").value());
  ASSERT_TRUE(spec.Validate().ok()) << spec.Validate().ToString();

  const std::string toml = ToToml(spec);
  engine::Result<WorkloadSpec> parsed = ParseWorkload(toml, "config.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << toml;
  EXPECT_TRUE(parsed.value() == spec) << toml << "\n---\n" << ToToml(parsed.value());
  EXPECT_EQ(toml, ToToml(parsed.value()));
}

// Equality sees a change in every part of a spec (so the round-trip test can fail).
TEST(WorkloadSpecTest, EqualityNoticesChanges) {
  const WorkloadSpec base;
  WorkloadSpec changed = base;
  changed.snapshot_readers.reads_per_snapshot++;
  EXPECT_FALSE(changed == base);
  changed = base;
  changed.engine.block_restart_interval++;
  EXPECT_FALSE(changed == base);
  changed = base;
  changed.faults.push_back(faults::ParseRule("engine/wal/sync:error").value());
  EXPECT_FALSE(changed == base);
  changed = base;
  changed.watchdog_seconds++;
  EXPECT_FALSE(changed == base);
  changed = base;
  changed.randomize.push_back(RandomizeRange{"key_space", 1, 2, false, {}});
  EXPECT_FALSE(changed == base);
  WorkloadSpec other = changed;
  other.randomize[0].log = true;
  EXPECT_FALSE(changed == other);
}

// Every documented key can be set with --set, and the list names each key once.
TEST(WorkloadSpecTest, EveryListedKeyIsOverridable) {
  const std::vector<WorkloadKeyInfo> keys = WorkloadKeys();
  EXPECT_GE(keys.size(), 40u);
  for (size_t i = 0; i < keys.size(); i++) {
    EXPECT_FALSE(keys[i].doc.empty()) << keys[i].key;
    for (size_t j = 0; j < i; j++) EXPECT_NE(keys[i].key, keys[j].key);
    if (keys[i].key == "faults") continue;
    WorkloadSpec spec;
    // Unknown keys fail before the value is looked at; a known key fails only on the value.
    const engine::Status s = ApplyOverride(&spec, std::string(keys[i].key) + "={}");
    EXPECT_EQ(std::string::npos, s.message().find("unknown key")) << keys[i].key;
  }
}

// A [randomize] table: dotted and quoted keys, both forms, in canonical order whatever the file's.
TEST(WorkloadSpecTest, ParsesRandomizeTable) {
  engine::Result<WorkloadSpec> spec = ParseWorkload(R"(
[randomize]
"faults.rate_scale" = { min = 0.25, max = 4, log = true }
engine.memtable_bytes = { min = 16384, max = 262144, log = true }
"engine.level0_compaction_trigger" = { min = 2, max = 4 }
distribution = { one_of = ["uniform", 'zipfian'] }
value_bytes = { one_of = [[16, 64], [8, 1024]] }
key_space = { min = 500, max = 20000 }
writers.sync_ratio = { min = 0, max = 0.5 }
)",
                                                    "config.toml");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(7u, spec->randomize.size());
  std::vector<std::string> keys;
  for (const RandomizeRange& range : spec->randomize) keys.push_back(range.key);
  EXPECT_EQ((std::vector<std::string>{"key_space", "distribution", "value_bytes",
                                      "writers.sync_ratio", "engine.memtable_bytes",
                                      "engine.level0_compaction_trigger", "faults.rate_scale"}),
            keys);
  EXPECT_EQ((RandomizeRange{"key_space", 500, 20000, false, {}}), spec->randomize[0]);
  EXPECT_EQ((RandomizeRange{"distribution", 0, 0, false, {"\"uniform\"", "\"zipfian\""}}),
            spec->randomize[1]);
  EXPECT_EQ((std::vector<std::string>{"[16, 64]", "[8, 1024]"}), spec->randomize[2].one_of);
  EXPECT_EQ((RandomizeRange{"engine.memtable_bytes", 16384, 262144, true, {}}), spec->randomize[4]);
  EXPECT_EQ((RandomizeRange{"faults.rate_scale", 0.25, 4, true, {}}), spec->randomize[6]);
  // A plain load does not draw: the spec's own values stay the defaults.
  EXPECT_EQ(WorkloadSpec{}.key_space, spec->key_space);
}

// Each malformed [randomize] entry is refused with a message naming randomize.<key>.
TEST(WorkloadSpecTest, RandomizeErrorsNameTheKey) {
  struct Case {
    const char* entry;
    const char* message;
  };
  for (const Case& c : {
           Case{"writers.thread = { min = 1, max = 3 }",
                "randomize.writers.thread: unknown key 'writers.thread' (did you mean "
                "'writers.threads'?)"},
           Case{"colour = 3", "randomize.colour: unknown key 'colour'"},
           Case{"key_space = { min = 500, max = 20 }",
                "randomize.key_space: min (500) must be <= max (20)"},
           Case{"distribution = { one_of = [\"uniform\", \"zipf\"] }",
                "randomize.distribution: one_of value \"zipf\" does not apply (distribution: "
                "unknown value 'zipf' (uniform, zipfian, latest, hotspot))"},
           Case{"key_space = { min = 1, max = 9, step = 2 }",
                "randomize.key_space: unknown field 'step' (an entry holds min, max and log, or "
                "one_of)"},
           Case{"key_space = { min = 0, max = 9, log = true }",
                "randomize.key_space: log = true needs min > 0, got 0"},
           Case{"writers.sync_ratio = { min = -0.5, max = 0.5, log = true }",
                "randomize.writers.sync_ratio: log = true needs min > 0, got -0.5"},
           Case{"key_space = { min = 1, max = 9, one_of = [3] }",
                "randomize.key_space: give min/max (and log) or one_of, not both"},
           Case{"key_space = { one_of = [] }", "randomize.key_space: one_of lists no values"},
           Case{"key_space = { min = 1 }",
                "randomize.key_space: needs { min = .., max = .. } or { one_of = [..] }"},
           Case{"key_space = 5",
                "randomize.key_space: expected { min = .., max = .. } or { one_of = [..] }, got "
                "an integer (5)"},
           Case{"key_space = { min = \"1\", max = 9 }",
                "randomize.key_space.min: expected a number, got a string (\"1\")"},
           Case{"distribution = { min = 1, max = 2 }",
                "randomize.distribution: min/max need a key that holds a number; list the values "
                "with one_of"},
           Case{"writers.threads = { min = 1.5, max = 3 }",
                "randomize.writers.threads: min = 1.5 does not apply (writers.threads: expected an "
                "integer, got a float (1.5))"},
           Case{"key_space = { min = -1, max = 3 }",
                "randomize.key_space: min = -1 does not apply (key_space: must be in [0, "
                "9223372036854775807], got -1)"},
           Case{"key_space = { one_of = [1, \"two\"] }",
                "randomize.key_space: one_of value \"two\" does not apply (key_space: expected an "
                "integer, got a string (\"two\"))"},
           Case{
               "\"faults.rate_scale\" = { min = -1, max = 2 }",
               "randomize.faults.rate_scale: min = -1.0 does not apply (faults.rate_scale: must be "
               "a number >= 0, got -1.0)"},
           Case{"engine.memtable_bytes = { min = 1, max = 2 }\n\"engine.memtable_bytes\" = { "
                "min = 1, max = 2 }",
                "randomize.engine.memtable_bytes: is listed twice"},
           Case{"randomize = { min = 1, max = 2 }",
                "randomize.randomize: the [randomize] table cannot randomise itself"},
       }) {
    EXPECT_EQ(fmt::format("config.toml: {}", c.message),
              ParseError(fmt::format("[randomize]\n{}\n", c.entry)))
        << c.entry;
  }
  EXPECT_EQ("config.toml: randomize: expected a table ([randomize]), got an integer (3)",
            ParseError("randomize = 3\n"));
  EXPECT_EQ("config.toml: unknown key 'randomise.key_space.max' (did you mean 'randomize'?)",
            ParseError("[randomise]\nkey_space = { min = 1, max = 2 }\n"));
}

// Validate refuses a table built in code that ToToml could not write back as it is: keys out of
// canonical order, both forms at once, one_of text not written as ToToml writes it.
TEST(WorkloadSpecTest, RandomizeOrderIsCanonical) {
  EXPECT_EQ(
      "randomize.key_space: listed after engine.memtable_bytes: keep the keys in the order "
      "`vstress run` writes config.toml",
      ValidateError([](WorkloadSpec& s) {
        s.randomize = {RandomizeRange{"engine.memtable_bytes", 4096, 8192, false, {}},
                       RandomizeRange{"key_space", 1, 2, false, {}}};
      }));
  EXPECT_EQ("randomize.key_space: one_of excludes min, max and log: give one form or the other",
            ValidateError([](WorkloadSpec& s) {
              s.randomize = {RandomizeRange{"key_space", 1, 2, false, {"3"}}};
            }));
  EXPECT_EQ("randomize.distribution: one_of value 'latest' must be written as \"latest\"",
            ValidateError([](WorkloadSpec& s) {
              s.randomize = {RandomizeRange{"distribution", 0, 0, false, {"'latest'"}}};
            }));
  EXPECT_EQ(
      "randomize.distribution: one_of value latest is not a TOML number, string, boolean or array",
      ValidateError([](WorkloadSpec& s) {
        s.randomize = {RandomizeRange{"distribution", 0, 0, false, {"latest"}}};
      }));
}

// A spec with a [randomize] table survives ToToml -> ParseWorkload, text and value.
TEST(WorkloadSpecTest, RandomizeRoundTrips) {
  WorkloadSpec spec;
  spec.randomize = {
      RandomizeRange{"description", 0, 0, false, {"\"a \\\"quoted\\\" line\\n\""}},
      RandomizeRange{"key_space", 500, 20000, false, {}},
      RandomizeRange{"distribution", 0, 0, false, {"\"uniform\"", "\"hotspot\""}},
      RandomizeRange{"value_bytes", 0, 0, false, {"[16, 64]"}},
      RandomizeRange{"writers.sync_ratio", 0, 0.125, false, {}},
      RandomizeRange{"engine.memtable_bytes", 4096, 1 << 20, true, {}},
      RandomizeRange{"engine.verify_checksums", 0, 0, false, {"true", "false"}},
      RandomizeRange{"faults", 0, 0, false, {"\"engine/file/delete:error:p=0.1\"", "\"\""}},
      RandomizeRange{"faults.rate_scale", 1e-05, 4, true, {}},
  };
  ASSERT_TRUE(spec.Validate().ok()) << spec.Validate().ToString();
  const std::string toml = ToToml(spec);
  EXPECT_NE(std::string::npos,
            toml.find("\"engine.memtable_bytes\" = { min = 4096, max = 1048576, log = true }\n"))
      << toml;
  EXPECT_NE(std::string::npos, toml.find("\"faults.rate_scale\" = { min = 1e-05, max = 4.0, log "
                                         "= true }\n"))
      << toml;
  engine::Result<WorkloadSpec> parsed = ParseWorkload(toml, "config.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << toml;
  EXPECT_TRUE(parsed.value() == spec) << toml << "\n---\n" << ToToml(parsed.value());
  EXPECT_EQ(toml, ToToml(parsed.value()));
}

// --set cannot change the [randomize] table, and says where it is set instead.
TEST(WorkloadSpecTest, RandomizeIsNotForSet) {
  WorkloadSpec spec;
  EXPECT_EQ("randomize: is a table of ranges: write a [randomize] table in a config file",
            ApplyOverride(&spec, "randomize={}").message());
  const engine::Status quoted =
      ApplyOverride(&spec, "faults=\"engine/wal/sync:error;engine/file/delete:error\"");
  ASSERT_TRUE(quoted.ok()) << quoted.ToString();
  EXPECT_EQ(2u, spec.faults.size()) << "a quoted faults= value is the rules it holds";
}

}  // namespace
}  // namespace workloads
