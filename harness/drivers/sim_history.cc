#include "harness/drivers/sim_history.h"

#include <fmt/format.h>

#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace harness::drivers {
namespace {

constexpr std::string_view kHeaderFirstLine = "# vstress history v1";

engine::Status Bad(std::string_view line, std::string_view why) {
  return engine::Status::InvalidArgument(fmt::format("history line '{}': {}", line, why));
}

bool ParseNumber(std::string_view text, uint64_t* out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

std::optional<faults::Action> ActionFromName(std::string_view name) {
  for (auto a : {faults::Action::kError, faults::Action::kNoSpace, faults::Action::kDelay,
                 faults::Action::kTorn, faults::Action::kCrash, faults::Action::kHang,
                 faults::Action::kAbort}) {
    if (name == faults::ActionName(a)) return a;
  }
  return std::nullopt;
}

// Takes " (in #N SITE)" off the end of `rest`, if there.
engine::Status TakeNesting(std::string_view line, std::string_view* rest, StepRecord* out) {
  if (rest->empty() || rest->back() != ')') return engine::Status::Ok();
  const size_t open = rest->rfind(" (in #");
  if (open == std::string_view::npos) return engine::Status::Ok();
  const std::string_view inner = rest->substr(open + 6, rest->size() - open - 7);
  const size_t space = inner.find(' ');
  if (space == std::string_view::npos || !ParseNumber(inner.substr(0, space), &out->step.inside) ||
      !stores::YieldSiteFromName(inner.substr(space + 1), &out->step.site)) {
    return Bad(line, "expected (in #STEP SITE)");
  }
  *rest = rest->substr(0, open);
  return engine::Status::Ok();
}

// Takes each " [fault POINT ACTION #HIT]" off the end of `rest`.
engine::Status TakeFaults(std::string_view line, std::string_view* rest, StepRecord* out) {
  std::vector<faults::ScriptedFire> fires;
  while (!rest->empty() && rest->back() == ']') {
    const size_t open = rest->rfind(" [fault ");
    if (open == std::string_view::npos) break;
    const std::string_view inner = rest->substr(open + 8, rest->size() - open - 9);
    const size_t a = inner.find(' ');
    const size_t b = inner.rfind(" #");
    faults::ScriptedFire fire;
    std::optional<faults::Action> action;
    if (a == std::string_view::npos || b == std::string_view::npos || b <= a ||
        !(action = ActionFromName(inner.substr(a + 1, b - a - 1))) ||
        !ParseNumber(inner.substr(b + 2), &fire.hit_in_step)) {
      return Bad(line, "expected [fault POINT ACTION #HIT]");
    }
    fire.point = std::string(inner.substr(0, a));
    fire.action = *action;
    fires.insert(fires.begin(), std::move(fire));
    *rest = rest->substr(0, open);
  }
  out->step.fires = std::move(fires);
  return engine::Status::Ok();
}

engine::Status ParseActor(std::string_view line, std::string_view actor, std::string_view op,
                          const std::vector<std::string>& names,
                          const std::vector<model::ClientRole>& roles, SimStep* step) {
  if (actor == "bg") {
    if (op != "step") return Bad(line, "background steps are 'bg step'");
    step->actor = SimStep::Actor::kBackground;
    return engine::Status::Ok();
  }
  if (actor == "run") {
    if (op != "quiesce" && op != "end" && op != "crash") {
      return Bad(line, "run steps are quiesce, crash or end");
    }
    step->actor = SimStep::Actor::kRun;
    step->run_op = op == "end"     ? SimStep::RunOp::kEnd
                   : op == "crash" ? SimStep::RunOp::kCrash
                                   : SimStep::RunOp::kQuiesce;
    return engine::Status::Ok();
  }
  for (size_t i = 0; i < names.size(); i++) {
    if (names[i] != actor) continue;
    auto parsed = model::ParseClientOp(op, roles[i]);
    if (!parsed.ok()) return Bad(line, parsed.status().message());
    step->actor = SimStep::Actor::kClient;
    step->client = static_cast<uint32_t>(i);
    step->op = std::move(parsed).value();
    return engine::Status::Ok();
  }
  return Bad(line, fmt::format("no client called '{}' in this run's config", actor));
}

}  // namespace

std::string FormatStep(const StepRecord& r, const std::vector<std::string>& client_names) {
  const SimStep& s = r.step;
  std::string line = fmt::format("#{} ", r.index);
  switch (s.actor) {
    case SimStep::Actor::kClient:
      line += client_names[s.client] + " " + ToString(s.op);
      break;
    case SimStep::Actor::kBackground:
      line += "bg step";
      break;
    case SimStep::Actor::kRun:
      line += s.run_op == SimStep::RunOp::kEnd     ? "run end"
              : s.run_op == SimStep::RunOp::kCrash ? "run crash"
                                                   : "run quiesce";
      break;
  }
  line += " // " + r.observed;
  for (const faults::ScriptedFire& f : s.fires) {
    line += fmt::format(" [fault {} {} #{}]", f.point, faults::ActionName(f.action), f.hit_in_step);
  }
  if (s.inside != 0) {
    line += fmt::format(" (in #{} {})", s.inside, stores::YieldSiteName(s.site));
  }
  return line;
}

engine::Result<StepRecord> ParseStep(std::string_view line,
                                     const std::vector<std::string>& client_names,
                                     const std::vector<model::ClientRole>& client_roles) {
  StepRecord r;
  if (line.empty() || line.front() != '#') return Bad(line, "a step starts with #N");
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || !ParseNumber(line.substr(1, space - 1), &r.index)) {
    return Bad(line, "a step starts with #N");
  }
  std::string_view rest = line.substr(space + 1);
  const size_t actor_end = rest.find(' ');
  const size_t slashes = rest.find(" // ");
  if (actor_end == std::string_view::npos || slashes == std::string_view::npos ||
      slashes < actor_end) {
    return Bad(line, "expected #N ACTOR OP // RESULT");
  }
  const std::string_view actor = rest.substr(0, actor_end);
  const std::string_view op = rest.substr(actor_end + 1, slashes - actor_end - 1);
  std::string_view result = rest.substr(slashes + 4);
  if (engine::Status s = TakeNesting(line, &result, &r); !s.ok()) return s;
  if (engine::Status s = TakeFaults(line, &result, &r); !s.ok()) return s;
  r.observed = std::string(result);
  if (engine::Status s = ParseActor(line, actor, op, client_names, client_roles, &r.step);
      !s.ok()) {
    return s;
  }
  return r;
}

std::string FormatHistory(const HistoryHeader& h, const std::vector<std::string>& lines) {
  std::string text = std::string(kHeaderFirstLine) + "\n";
  text += fmt::format("# seed {} preset {} schedule {}\n", h.seed, h.preset, h.schedule);
  const uint64_t last = h.first_step + lines.size() - 1;
  if (h.complete()) {
    text += fmt::format("# steps 1-{} of {}: complete, `vstress repro` replays it exactly\n",
                        lines.size(), h.steps_total);
  } else {
    text += fmt::format("# steps {}-{} of {}: the last {} (earlier ones left out, --history-ops)\n",
                        h.first_step, last, h.steps_total, lines.size());
  }
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

engine::Result<ParsedHistory> ParseHistory(std::string_view text,
                                           const std::vector<std::string>& client_names,
                                           const std::vector<model::ClientRole>& client_roles) {
  ParsedHistory out;
  if (text.substr(0, kHeaderFirstLine.size()) != kHeaderFirstLine) {
    return engine::Status::InvalidArgument(
        fmt::format("not a vstress history: the first line is not '{}'", kHeaderFirstLine));
  }
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    if (line.front() == '#' && (line.size() == 1 || line[1] == ' ')) {
      uint64_t first = 0, last = 0, total = 0;
      if (std::sscanf(std::string(line).c_str(), "# steps %" SCNu64 "-%" SCNu64 " of %" SCNu64,
                      &first, &last, &total) == 3) {
        out.header.first_step = first;
        out.header.steps_total = total;
      }
      continue;
    }
    auto step = ParseStep(line, client_names, client_roles);
    if (!step.ok()) return step.status();
    out.steps.push_back(std::move(step).value());
  }
  return out;
}

}  // namespace harness::drivers
