#include "workloads/write_op_generator.h"

#include <algorithm>
#include <cassert>

#include "workloads/value.h"

namespace workloads {
namespace {

// Random streams of the generator's seed: one for op choices, one for its KeyChooser.
constexpr uint64_t kChooserStream = 1;
// A stream of the spec's seed that places the writers' frontiers under `latest`.
constexpr uint64_t kFrontierStream = 0x66726f6e74;  // "front"

uint64_t FirstFrontier(const WorkloadSpec& spec, uint32_t writer_id) {
  const uint64_t base = Random(DeriveSeed(spec.seed, kFrontierStream)).Uniform(spec.key_space);
  const uint64_t writers = static_cast<uint64_t>(std::max(1, spec.writers.threads));
  const uint64_t spacing = spec.key_space / writers;
  return (base + (writer_id % writers) * spacing) % spec.key_space;
}

}  // namespace

WriteOpGenerator::WriteOpGenerator(const WorkloadSpec& spec, uint32_t writer_id, uint64_t seed)
    : writers_(spec.writers),
      writer_id_(writer_id),
      value_bytes_min_(spec.value_bytes_min),
      value_bytes_max_(spec.value_bytes_max),
      latest_(spec.distribution == KeyDistribution::kLatest),
      random_(seed),
      chooser_(spec, DeriveSeed(seed, kChooserStream)),
      frontier_(FirstFrontier(spec, writer_id)) {
  assert(writers_.put_weight + writers_.delete_weight + writers_.batch_weight > 0);
  assert(value_bytes_min_ <= value_bytes_max_);
}

Op WriteOpGenerator::Next() {
  const double total = writers_.put_weight + writers_.delete_weight + writers_.batch_weight;
  const double choice = random_.UniformDouble() * total;
  Op op;
  if (choice < writers_.put_weight) {
    op = NextPut();
  } else if (choice < writers_.put_weight + writers_.delete_weight) {
    op = NextDelete();
  } else {
    op = NextBatch();
  }
  op.sync = random_.Bernoulli(writers_.sync_ratio);
  return op;
}

uint64_t WriteOpGenerator::NextPutKey() {
  if (!latest_) return chooser_.Next();
  const uint64_t key = frontier_;
  frontier_ = (frontier_ + 1) % chooser_.key_space();
  return key;
}

Op WriteOpGenerator::NextPut() {
  Op op;
  op.kind = Op::Kind::kPut;
  const uint64_t key = NextPutKey();
  newest_key_index_ = key;
  op.key = KeyName(key);
  const auto bytes =
      static_cast<uint32_t>(random_.UniformBetween(value_bytes_min_, value_bytes_max_));
  op.value = MakeValue(writer_id_, next_write_index_++, bytes);
  return op;
}

Op WriteOpGenerator::NextDelete() {
  Op op;
  op.kind = Op::Kind::kDelete;
  op.key = KeyName(chooser_.Next(newest_key_index_));
  return op;
}

Op WriteOpGenerator::NextBatch() {
  Op op;
  op.kind = Op::Kind::kBatch;
  const double put_delete = writers_.put_weight + writers_.delete_weight;
  // A batch of a writer that only batches is all puts.
  const double put_share = put_delete > 0 ? writers_.put_weight / put_delete : 1;
  const uint64_t entries = random_.UniformBetween(1, writers_.batch_ops_max);
  for (uint64_t i = 0; i < entries; i++) {
    op.batch.push_back(random_.Bernoulli(put_share) ? NextPut() : NextDelete());
  }
  return op;
}

}  // namespace workloads
