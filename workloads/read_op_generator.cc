#include "workloads/read_op_generator.h"

namespace workloads {
namespace {

constexpr uint64_t kChooserStream = 1;
// A share of scans start at the first (or, backward, the last) key, so running off both ends of
// the key space is checked too.
constexpr double kFromAnEndProbability = 0.25;

}  // namespace

ReadOpGenerator::ReadOpGenerator(const WorkloadSpec& spec, uint64_t seed)
    : scanners_(spec.scanners), random_(seed), chooser_(spec, DeriveSeed(seed, kChooserStream)) {}

Op ReadOpGenerator::NextGet(std::optional<uint64_t> newest_key_index) {
  Op op;
  op.kind = Op::Kind::kGet;
  op.key = KeyName(chooser_.Next(newest_key_index));
  return op;
}

Op ReadOpGenerator::NextSnapshotGet(std::optional<uint64_t> newest_key_index) {
  Op op = NextGet(newest_key_index);
  op.kind = Op::Kind::kSnapshotGet;
  return op;
}

Op ReadOpGenerator::NextScan(std::optional<uint64_t> newest_key_index) {
  Op op;
  op.kind = Op::Kind::kScan;
  // The key is drawn even for a scan from an end, so the chooser's stream does not depend on it.
  const uint64_t start = chooser_.Next(newest_key_index);
  if (!random_.Bernoulli(kFromAnEndProbability)) op.start_key = KeyName(start);
  op.reverse = random_.Bernoulli(scanners_.reverse_ratio);
  op.steps = random_.UniformBetween(1, scanners_.hold_steps_max);
  return op;
}

}  // namespace workloads
