#include "faults/fault_controller.h"

#include <fiu-control.h>
#include <fiu.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "engine/fault_points.h"

namespace faults {

struct FaultController::PointState {
  std::string name;
  uint64_t name_hash = 0;     // XXH3 of `name`: the seed of its probability draws
  std::vector<size_t> rules;  // indexes into options_.rules, in order
  std::atomic<uint64_t> hits{0};
  std::atomic<uint64_t> step_hits{0};  // with step tracking: hits within the current step
  std::array<std::atomic<uint64_t>, kActionCount> fires{};  // by Action
  std::unique_ptr<std::atomic<bool>[]> once_fired;          // per entry of `rules`
};

namespace {

bool IsEnginePoint(std::string_view point) { return point.starts_with("engine/"); }

int ErrnoFor(Action action) { return action == Action::kNoSpace ? ENOSPC : EIO; }

// The test-only actions: hold no lock of the controller's (the watchdog reads its counts), and
// sleep on the real clock (a simulated one would just move on).
[[noreturn]] void Misbehave(const Rule& rule) {
  if (rule.action == Action::kAbort) {
    std::fprintf(stderr, "vstress: fault rule '%s' aborts the process here\n",
                 rule.ToString().c_str());
    std::abort();
  }
  while (true) std::this_thread::sleep_for(std::chrono::hours(1));
}

}  // namespace

FaultController::FaultController(FaultControllerOptions options)
    : options_(std::move(options)), clock_(options_.clock ? options_.clock : engine::RealClock()) {
  start_nanos_ = clock_->NowNanos();
  for (const auto& point : AllFaultPoints()) {
    std::vector<size_t> rules;
    for (size_t i = 0; i < options_.rules.size(); i++) {
      if (options_.rules[i].Matches(point)) rules.push_back(i);
    }
    // A replay watches every point: its fires come from the script, not from rules.
    if (rules.empty() && !options_.scripted) continue;
    auto state = std::make_unique<PointState>();
    state->name = point;
    // Hashed once here rather than on every probability draw (OnHit runs at every hit).
    state->name_hash = XXH3_64bits(point.data(), point.size());
    state->once_fired = std::make_unique<std::atomic<bool>[]>(rules.size());
    state->rules = std::move(rules);
    points_.emplace(point, std::move(state));
  }
}

FaultController::~FaultController() { Uninstall(); }

double FaultController::SecondsSinceInstall() const {
  return static_cast<double>(clock_->NowNanos() - start_nanos_) / 1e9;
}

engine::Status FaultController::Install() {
  if (fiu_init(0) != 0) return engine::Status::IOError("fiu_init failed");
  if (!options_.log_path.empty()) {
    std::lock_guard<std::mutex> guard(log_mu_);
    log_.open(options_.log_path, std::ios::out | std::ios::trunc);
    if (!log_) return engine::Status::IOError("cannot write " + options_.log_path);
  }
  start_nanos_ = clock_->NowNanos();
  for (auto& [name, state] : points_) {
    if (!IsEnginePoint(name)) continue;
    if (fiu_enable_external(name.c_str(), EIO, this, 0, &FaultController::FiuCallback) != 0) {
      return engine::Status::IOError("fiu_enable_external failed for " + name);
    }
  }
  installed_ = true;
  return engine::Status::Ok();
}

void FaultController::Uninstall() {
  // From now on no rule fires, FaultFS points included (the run's final checks need faults off).
  stopped_.store(true, std::memory_order_release);
  if (!installed_) return;
  for (auto& [name, state] : points_) {
    if (IsEnginePoint(name)) fiu_disable(name.c_str());
  }
  installed_ = false;
  std::lock_guard<std::mutex> guard(log_mu_);
  if (log_.is_open()) log_.close();
}

int FaultController::FiuCallback(const char* name, int* /*failnum*/, void** failinfo,
                                 unsigned int* /*flags*/) {
  auto* self = static_cast<FaultController*>(*failinfo);
  const std::optional<Action> action = self->OnHit(name);
  if (!action) return 0;
  switch (*action) {
    case Action::kDelay:
      return 0;  // OnHit slept; the step goes on
    case Action::kTorn:
      // The engine goes on and its next append on this thread is torn by FaultFS.
      if (self->torn_hook_) {
        self->torn_hook_();
        return 0;
      }
      break;
    case Action::kCrash:
      if (self->crash_hook_) self->crash_hook_();
      break;
    case Action::kError:
    case Action::kNoSpace:
    case Action::kHang:   // never returns from OnHit
    case Action::kAbort:  // never returns from OnHit
      break;
  }
  engine::SetInjectedErrno(ErrnoFor(*action));
  return 1;
}

std::optional<Action> FaultController::OnHit(std::string_view point, std::string_view path) {
  if (stopped_.load(std::memory_order_acquire)) return std::nullopt;
  if (recovering_.load(std::memory_order_acquire)) return RecoveryHit(point);
  if (suspended_.load(std::memory_order_acquire)) return std::nullopt;
  auto it = points_.find(point);
  if (it == points_.end()) return std::nullopt;
  PointState& state = *it->second;
  const uint64_t hit = state.hits.fetch_add(1, std::memory_order_relaxed) + 1;
  const uint64_t hit_in_step =
      options_.step_tracking ? state.step_hits.fetch_add(1, std::memory_order_relaxed) + 1 : 0;
  if (options_.scripted) return ScriptedHit(state, hit, hit_in_step);
  for (size_t i = 0; i < state.rules.size(); i++) {
    const Rule& rule = options_.rules[state.rules[i]];
    if (!rule.MatchesPath(path) || !InWindow(rule) || !Fires(state, i, hit)) continue;
    Record(state, hit, hit_in_step, rule.action);
    if (rule.action == Action::kDelay) {
      clock_->SleepForNanos(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(rule.delay).count()));
    }
    if (rule.action == Action::kHang || rule.action == Action::kAbort) Misbehave(rule);
    return rule.action;
  }
  return std::nullopt;
}

std::optional<Action> FaultController::ScriptedHit(PointState& state, uint64_t hit,
                                                   uint64_t hit_in_step) {
  for (const ScriptedFire& f : step_fires_) {
    if (f.hit_in_step != hit_in_step || f.point != state.name) continue;
    Record(state, hit, hit_in_step, f.action);
    return f.action;
  }
  return std::nullopt;
}

bool ParseRecoveryFault(std::string_view text, RecoveryFault* out) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view hit = text.substr(0, colon);
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(hit.data(), hit.data() + hit.size(), n);
  if (ec != std::errc() || end != hit.data() + hit.size() || n == 0) return false;
  Action action;
  if (!ParseActionName(text.substr(colon + 1), &action) ||
      (action != Action::kError && action != Action::kNoSpace && action != Action::kCrash)) {
    return false;
  }
  *out = {n, action};
  return true;
}

void FaultController::BeginRecovery(std::optional<RecoveryFault> fault) {
  std::lock_guard<std::mutex> guard(recovery_mu_);
  recovery_fault_ = fault;
  recovery_hits_ = {};
  recovering_.store(true, std::memory_order_release);
}

RecoveryHits FaultController::EndRecovery() {
  std::lock_guard<std::mutex> guard(recovery_mu_);
  recovering_.store(false, std::memory_order_release);
  recovery_fault_.reset();
  return recovery_hits_;
}

std::optional<Action> FaultController::RecoveryHit(std::string_view point) {
  if (!point.starts_with("fs/")) return std::nullopt;
  std::lock_guard<std::mutex> guard(recovery_mu_);
  const uint64_t hit = ++recovery_hits_.hits;
  if (!recovery_fault_ || recovery_fault_->hit != hit) return std::nullopt;
  const Action action = recovery_fault_->action;
  recovery_hits_.fired_point = std::string(point);
  recovery_fires_[std::string(point)][std::string(ActionName(action))]++;
  fires_total_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> log_guard(log_mu_);
  if (log_.is_open()) {
    log_ << fmt::format("{:.6f} op={} point={} hit={} action={} recovery\n", SecondsSinceInstall(),
                        op_index_.load(std::memory_order_relaxed), point, hit, ActionName(action))
         << std::flush;
  }
  return action;
}

void FaultController::BeginStep(std::vector<ScriptedFire> fires) {
  for (auto& [name, state] : points_) state->step_hits.store(0, std::memory_order_relaxed);
  step_fires_ = std::move(fires);
}

FaultController::StepState FaultController::SaveStep() const {
  StepState saved;
  for (const auto& [name, state] : points_) {
    saved.hits.push_back(state->step_hits.load(std::memory_order_relaxed));
  }
  saved.fires = step_fires_;
  return saved;
}

void FaultController::RestoreStep(StepState saved) {
  size_t i = 0;
  for (auto& [name, state] : points_) {
    state->step_hits.store(i < saved.hits.size() ? saved.hits[i] : 0, std::memory_order_relaxed);
    i++;
  }
  step_fires_ = std::move(saved.fires);
}

bool FaultController::InWindow(const Rule& rule) const {
  const Window& w = rule.window;
  const uint64_t op = op_index_.load(std::memory_order_relaxed);
  if (w.after_ops && op < *w.after_ops) return false;
  if (w.before_ops && op >= *w.before_ops) return false;
  if (w.after_seconds || w.before_seconds) {
    const double t = SecondsSinceInstall();
    if (w.after_seconds && t < *w.after_seconds) return false;
    if (w.before_seconds && t >= *w.before_seconds) return false;
  }
  return true;
}

// The decision for one (point, rule, hit): a pure function of the seed for probabilities.
bool FaultController::Fires(const PointState& state, size_t rule_index, uint64_t hit) {
  const Trigger& t = options_.rules[state.rules[rule_index]].trigger;
  switch (t.kind) {
    case Trigger::Kind::kNth:
      return hit == t.n;
    case Trigger::Kind::kEvery:
      return hit % t.n == 0;
    case Trigger::Kind::kFrom:
      return hit >= t.n;
    case Trigger::Kind::kOnce:
      return !state.once_fired[rule_index].exchange(true);
    case Trigger::Kind::kProbability: {
      const uint64_t key[3] = {options_.seed, state.rules[rule_index], hit};
      const uint64_t h = XXH3_64bits_withSeed(key, sizeof(key), state.name_hash);
      const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
      return u < t.probability;
    }
  }
  return false;
}

void FaultController::Record(PointState& state, uint64_t hit, uint64_t hit_in_step, Action action) {
  state.fires[static_cast<size_t>(action)].fetch_add(1);
  fires_total_.fetch_add(1, std::memory_order_relaxed);
  FireRecord r;
  r.seconds = SecondsSinceInstall();
  r.op_index = op_index_.load(std::memory_order_relaxed);
  r.point = state.name;
  r.hit = hit;
  r.hit_in_step = hit_in_step;
  r.action = action;
  std::lock_guard<std::mutex> guard(log_mu_);
  if (log_.is_open()) {
    log_ << fmt::format("{:.6f} op={} point={} hit={} action={}\n", r.seconds, r.op_index, r.point,
                        r.hit, ActionName(r.action));
    log_.flush();
  }
  if (fire_listener_) fire_listener_(r);
  if (fires_.size() < kFireRecordsMax) fires_.push_back(std::move(r));
}

std::map<std::string, PointCounts> FaultController::Counts() const {
  std::map<std::string, PointCounts> out;
  for (const auto& [name, state] : points_) {
    PointCounts& c = out[name];
    c.hits = state->hits.load(std::memory_order_relaxed);
    for (size_t a = 0; a < state->fires.size(); a++) {
      const uint64_t n = state->fires[a].load(std::memory_order_relaxed);
      if (n > 0) c.fires_by_action[ActionName(static_cast<Action>(a))] = n;
    }
  }
  std::lock_guard<std::mutex> guard(recovery_mu_);
  for (const auto& [point, by_action] : recovery_fires_) {
    for (const auto& [action, n] : by_action) out[point].fires_by_action[action] += n;
  }
  return out;
}

std::vector<FireRecord> FaultController::Fires() const {
  std::lock_guard<std::mutex> guard(log_mu_);
  return fires_;
}

engine::Status FaultController::OpenRemoteControl(const std::string& prefix) {
  // fiu-ctrl (a shell script) leaves the fifo path unquoted: whitespace would split it.
  if (prefix.find_first_of(" \t\n") != std::string::npos) {
    return engine::Status::InvalidArgument(
        fmt::format("'{}' holds whitespace, which fiu-ctrl cannot handle in a fifo path", prefix));
  }
  if (fiu_init(0) != 0) return engine::Status::IOError("fiu_init failed");
  if (fiu_rc_fifo(prefix.c_str()) != 0) {
    return engine::Status::IOError(
        fmt::format("cannot open libfiu's control fifo {}-{}", prefix, getpid()));
  }
  return engine::Status::Ok();
}

}  // namespace faults
