#include "harness/drivers/crash_recovery.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "engine/file_system.h"

namespace harness::drivers {
namespace {

// "000123.sst", "000007.log", "MANIFEST-000004" -> their number.
bool FileNumberOf(const std::string& name, uint64_t* number) {
  std::string digits;
  if (name.rfind("MANIFEST-", 0) == 0) {
    digits = name.substr(9);
  } else {
    const size_t dot = name.find('.');
    if (dot == std::string::npos) return false;
    const std::string ext = name.substr(dot);
    if (ext != ".sst" && ext != ".log") return false;
    digits = name.substr(0, dot);
  }
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  *number = std::stoull(digits);
  return true;
}

reports::Violation RecoveryViolation(const reports::CrashCycle& cycle, std::string message) {
  reports::Violation v = InvariantViolation(
      fmt::format("crash cycle {} ({}): {}", cycle.cycle, cycle.mode, std::move(message)));
  v.kind = "recovery";
  return v;
}

// CURRENT must name a MANIFEST that exists ("" when it does).
std::string CurrentProblem(engine::FileSystem* fs, const std::string& dir) {
  std::string contents;
  if (engine::Status s = engine::ReadFileToString(fs, dir + "/CURRENT", &contents); !s.ok()) {
    return "CURRENT cannot be read: " + s.ToString();
  }
  if (contents.empty() || contents.back() != '\n') {
    return fmt::format("CURRENT holds '{}', not a MANIFEST name and a newline", contents);
  }
  contents.pop_back();
  if (!fs->FileExists(dir + "/" + contents)) {
    return fmt::format("CURRENT names {}, which does not exist", contents);
  }
  return "";
}

}  // namespace

bool ReadWholeDb(stores::Store* db, const model::Checker& checker,
                 std::vector<std::optional<model::ValueId>>* state) {
  state->assign(checker.oracle()->key_space(), std::nullopt);
  auto it = db->NewIterator(stores::ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t key;
    if (!checker.codec().parse_key(it->key(), &key) || key >= state->size()) return false;
    uint32_t writer;
    uint64_t index;
    const std::string_view value = it->value();
    (*state)[key] = checker.codec().parse_value(value, &writer, &index)
                        ? model::ValueId{writer, index, static_cast<uint32_t>(value.size())}
                        : model::Oracle::kUnrecognized;
  }
  return it->status().ok();
}

FilesOnDisk EngineFilesIn(engine::FileSystem* fs, const std::string& dir) {
  FilesOnDisk files;
  std::vector<std::string> names;
  if (!fs->GetChildren(dir, &names).ok()) return files;
  for (const std::string& name : names) {
    uint64_t number = 0;
    if (!FileNumberOf(name, &number)) continue;
    files.names.insert(name);
    files.max_number = std::max(files.max_number, number);
  }
  return files;
}

void RecoverAfterCrash(const DbAtRest& target, model::Oracle* oracle, const model::Checker& checker,
                       model::ReaderSlot* slot, const FilesOnDisk& after_crash,
                       const engine::Clock* clock, model::RunState* run, reports::RunOutcome* out,
                       reports::CrashCycle* cycle,
                       const std::vector<clients::AckEntry>& in_flight) {
  const uint64_t started = clock->NowNanos();
  auto reopened = stores::Open(*target.kind, *target.config, target.path);
  cycle->recovery_seconds = static_cast<double>(clock->NowNanos() - started) / 1e9;
  out->checks["recovery_checks"]++;
  const uint64_t violations_before = run->violation_count();
  if (!reopened.ok()) {
    run->Report(
        RecoveryViolation(*cycle, "reopening the DB failed: " + reopened.status().ToString()),
        nullptr);
    cycle->ok = false;
    return;
  }
  *target.db = std::move(reopened).value();
  stores::Store* db = target.db->get();
  if (const std::string problem = CurrentProblem(target.config->file_system.get(), target.path);
      !problem.empty()) {
    run->Report(RecoveryViolation(*cycle, problem), nullptr);
  }
  const engine::SequenceNumber recovered = db->LastSequence();
  cycle->last_sequence = recovered;
  if (recovered < cycle->floor) {
    cycle->lost_writes = cycle->floor - recovered;  // sequences are dense: one per write
    run->Report(
        RecoveryViolation(*cycle, fmt::format("acknowledged writes lost: the DB recovered through "
                                              "sequence {}, but writes through {} were durable",
                                              recovered, cycle->floor)),
        nullptr);
  }
  // The writes the DB holds must be a prefix: every write through some sequence, none above it,
  // and no less than the floor. The DB's own last sequence may be ahead of that prefix (the
  // MANIFEST records the last sequence as of its last edit, and the WAL writes behind it may be
  // gone), so the prefix is found from what the DB holds.
  const engine::SequenceNumber recorded = oracle->recorded_through();
  if (recovered > recorded) {
    run->Report(
        RecoveryViolation(*cycle, fmt::format("the DB recovered through sequence {}, beyond every "
                                              "write recorded ({})",
                                              recovered, recorded)),
        nullptr);
  }
  const engine::SequenceNumber hi = std::min(recovered, recorded);
  const engine::SequenceNumber lo = std::min(cycle->floor, hi);
  std::vector<std::optional<model::ValueId>> state;
  engine::SequenceNumber prefix = hi;
  bool matched = false;
  // Keys that show a write the crash caught in flight (it may or may not have survived): they
  // match any prefix, and the oracle takes their state from the DB.
  std::vector<std::pair<uint64_t, std::optional<model::ValueId>>> took_in_flight;
  if (ReadWholeDb(db, checker, &state)) {
    for (const clients::AckEntry& e : in_flight) {
      if (e.key >= state.size()) continue;
      const bool shows = e.value ? state[e.key] == e.value
                                 : !state[e.key].has_value() && oracle->ValueAt(e.key, hi);
      if (!shows) continue;
      took_in_flight.emplace_back(e.key, state[e.key]);
      state[e.key] = model::Oracle::kUncertain;
    }
    const model::Oracle::PrefixMatch match = oracle->ClosestPrefix(state, lo, hi);
    prefix = match.seq;
    matched = match.differing == 0;
    if (!matched) {
      run->Report(
          RecoveryViolation(*cycle, fmt::format("the recovered DB is not the state after any "
                                                "prefix of the writes from sequence {} to {}: the "
                                                "closest, through {}, differs at {} keys",
                                                lo, hi, prefix, match.differing)),
          nullptr);
    }
  }
  cycle->recovered = prefix;
  if (matched) {
    out->checks["scans_checked"]++;
    out->checks["scan_keys_checked"] += state.size();
  } else {
    // Every key against the oracle at the prefix: the first difference, in full.
    slot->Pin(prefix);
    CheckWholeDb(db, checker, prefix, "recovery", run, out);
    slot->Unpin();
  }
  // File numbers only grow: recovery's own files (a new MANIFEST, WAL, tables) and the next
  // number it gives out lie above every number the crash left on disk.
  const FilesOnDisk after_recovery = EngineFilesIn(target.config->file_system.get(), target.path);
  const bool fresh_numbers = target.kind->fresh_file_numbers_after_recovery;
  for (const std::string& name : fresh_numbers ? after_recovery.names : std::set<std::string>()) {
    uint64_t number = 0;
    if (after_crash.names.count(name) != 0 || !FileNumberOf(name, &number) ||
        number > after_crash.max_number) {
      continue;
    }
    run->Report(RecoveryViolation(
                    *cycle, fmt::format("recovery created {} though the crash left file numbers up "
                                        "to {} on disk: a file number was given out again",
                                        name, after_crash.max_number)),
                nullptr);
    break;
  }
  stores::Invariants* invariants = db->invariants();
  if (const uint64_t next = invariants != nullptr ? invariants->NextFileNumber() : UINT64_MAX;
      fresh_numbers && next <= after_crash.max_number) {
    run->Report(
        RecoveryViolation(*cycle, fmt::format("file number {} may be given out again: the "
                                              "directory held file number {} after the crash",
                                              next, after_crash.max_number)),
        nullptr);
  }
  CheckQuiescence(db, fmt::format("after crash cycle {}", cycle->cycle), run, out);
  cycle->dropped_writes = oracle->TruncateTo(prefix, recovered);
  // The writes caught in flight: what the DB shows is now the key's state; a value it does not
  // show may never show up.
  // (A failed write the recovery brought back, on a failed_writes_indeterminate store, is one of
  // them: its value is no longer a failed one.)
  for (const auto& [key, value] : took_in_flight) {
    oracle->Adopt(key, value, recovered);
    const model::WriteEntry shown{key, value};
    oracle->ForgetFailedWrite({&shown, 1});
  }
  for (const clients::AckEntry& e : in_flight) {
    if (e.value && !(e.key < state.size() && state[e.key] == model::Oracle::kUncertain &&
                     std::find(took_in_flight.begin(), took_in_flight.end(),
                               std::pair<uint64_t, std::optional<model::ValueId>>(
                                   e.key, e.value)) != took_in_flight.end())) {
      oracle->RecordFailedWrite(*e.value);
    }
  }
  cycle->ok = run->violation_count() == violations_before;
}

}  // namespace harness::drivers
