#include "harness/model/client_op.h"

#include <fmt/format.h>

#include "workloads/key_chooser.h"
#include "workloads/value.h"

namespace harness::model {
namespace {

engine::Status Bad(std::string_view text, std::string_view why) {
  return engine::Status::InvalidArgument(fmt::format("step '{}': {}", text, why));
}

// "k00000042" -> 42; false for anything else.
bool ParseKey(std::string_view text, uint64_t* key) {
  return workloads::ParseKeyIndex(text, key) && workloads::KeyName(*key) == text;
}

}  // namespace

const char* RoleName(ClientRole role) {
  switch (role) {
    case ClientRole::kWriter:
      return "writer";
    case ClientRole::kReader:
      return "reader";
    case ClientRole::kScanner:
      return "scanner";
    case ClientRole::kSnapshotReader:
      return "snapshot-reader";
  }
  return "client";
}

std::string ToString(const ClientOp& op) {
  switch (op.kind) {
    case ClientOp::Kind::kWrite:
      return workloads::ToString(op.write);
    case ClientOp::Kind::kGet:
    case ClientOp::Kind::kSnapshotGet:
      return "get " + workloads::KeyName(op.key);
    case ClientOp::Kind::kScanOpen:
      return fmt::format("open {}{}", op.has_start ? workloads::KeyName(op.key) + " " : "",
                         op.reverse ? "rev" : "fwd");
    case ClientOp::Kind::kScanStep:
      return "step";
    case ClientOp::Kind::kScanClose:
      return "close";
    case ClientOp::Kind::kSnapshotTake:
      return "take";
    case ClientOp::Kind::kSnapshotRelease:
      return "release";
  }
  return "?";
}

engine::Result<ClientOp> ParseClientOp(std::string_view text, ClientRole role) {
  ClientOp op;
  const auto word = [&](std::string_view w) { return text == w; };
  switch (role) {
    case ClientRole::kWriter: {
      auto write = workloads::ParseOp(text);
      if (!write.ok()) return write.status();
      if (!workloads::IsWrite(write.value().kind)) return Bad(text, "a writer's step is a write");
      op.kind = ClientOp::Kind::kWrite;
      op.write = std::move(write).value();
      return op;
    }
    case ClientRole::kReader:
    case ClientRole::kSnapshotReader:
      if (role == ClientRole::kSnapshotReader && (word("take") || word("release"))) {
        op.kind = word("take") ? ClientOp::Kind::kSnapshotTake : ClientOp::Kind::kSnapshotRelease;
        return op;
      }
      if (text.substr(0, 4) != "get " || !ParseKey(text.substr(4), &op.key)) {
        return Bad(text, "expected get KEY");
      }
      op.kind = role == ClientRole::kReader ? ClientOp::Kind::kGet : ClientOp::Kind::kSnapshotGet;
      return op;
    case ClientRole::kScanner: {
      if (word("step") || word("close")) {
        op.kind = word("step") ? ClientOp::Kind::kScanStep : ClientOp::Kind::kScanClose;
        return op;
      }
      if (text.substr(0, 5) != "open ") return Bad(text, "expected open, step or close");
      std::string_view rest = text.substr(5);
      const size_t space = rest.find(' ');
      if (space != std::string_view::npos) {
        if (!ParseKey(rest.substr(0, space), &op.key)) return Bad(text, "bad start key");
        op.has_start = true;
        rest = rest.substr(space + 1);
      }
      if (rest != "fwd" && rest != "rev") return Bad(text, "expected fwd or rev");
      op.kind = ClientOp::Kind::kScanOpen;
      op.reverse = rest == "rev";
      return op;
    }
  }
  return Bad(text, "unknown role");
}

void SetOutcomeValue(std::string_view value, StepOutcome* out) {
  uint32_t writer = 0;
  uint64_t index = 0;
  if (workloads::ParseValueId(value, &writer, &index)) {
    out->value_writer = writer;
    out->value_index = index;
    out->value_bytes = static_cast<uint32_t>(value.size());
  } else {
    out->value_bytes = 0;
  }
}

std::string ToString(const StepOutcome& o) {
  const std::string value =
      o.value_bytes == 0 ? std::string("(not a value vstress wrote)")
                         : fmt::format("v{}.{}/{}", o.value_writer, o.value_index, o.value_bytes);
  switch (o.kind) {
    case StepOutcome::Kind::kOk:
      return o.seq == 0 ? "ok" : fmt::format("ok seq={}", o.seq);
    case StepOutcome::Kind::kValue:
      return o.has_key ? fmt::format("{}={} seq={}", workloads::KeyName(o.key), value, o.seq)
                       : fmt::format("{} seq={}", value, o.seq);
    case StepOutcome::Kind::kNotFound:
      return fmt::format("not-found seq={}", o.seq);
    case StepOutcome::Kind::kEnd:
      return fmt::format("end seq={}", o.seq);
    case StepOutcome::Kind::kError:
      return fmt::format("{}{}", engine::Status::CodeName(o.code), o.injected ? " [injected]" : "");
    case StepOutcome::Kind::kSkipped:
      return "skipped";
  }
  return "?";
}

}  // namespace harness::model
