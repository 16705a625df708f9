#include "harness/drivers/run_environment.h"

#include <filesystem>

#include "reports/run_files.h"

namespace harness::drivers {

RunConfig RunEnvironment::Config(const workloads::WorkloadSpec& spec) const {
  RunConfig config;
  config.spec = spec;
  config.db_path = db_path;
  config.file_system = fs;
  config.faults = faults.get();
  config.clock = clock;
  config.store = stores::FindStore(spec.store.name);
  return config;
}

engine::Result<std::unique_ptr<RunEnvironment>> MakeEnvironment(
    const workloads::WorkloadSpec& spec, EnvironmentKind kind, const std::string& db_path,
    const std::string& faults_log_path) {
  auto env = std::make_unique<RunEnvironment>();
  env->kind = kind;
  env->db_path = db_path;
  const bool simulated = kind == EnvironmentKind::kSimulated || kind == EnvironmentKind::kReplay ||
                         kind == EnvironmentKind::kSimulatedOnDisk;
  const bool in_memory = kind == EnvironmentKind::kSimulated || kind == EnvironmentKind::kReplay ||
                         kind == EnvironmentKind::kRealInMemory;
  env->clock = simulated ? std::make_shared<engine::ManualClock>() : engine::RealClock();
  env->base = in_memory ? engine::NewMemFileSystem() : engine::NewPosixFileSystem();
  if (in_memory) env->base->CreateDirIfMissing(db_path);
  env->fs = std::make_shared<faults::FaultFS>(env->base);
  // A power loss undoes what the store's file system would (doc/design.md, per engine).
  if (const stores::StoreKind* store = stores::FindStore(spec.store.name);
      store != nullptr && store->ordered_metadata) {
    env->fs->SetMetadataModel(faults::FaultFS::MetadataModel::kOrdered);
  }
  for (const std::string& name : spec.store.mutations) {
    if (auto m = faults::FaultFS::MutationNamed(name)) env->fs->Plant(*m);
  }
  faults::FaultControllerOptions options;
  options.seed = spec.seed;
  options.rules = spec.faults;
  options.log_path = faults_log_path;
  options.clock = env->clock;
  options.step_tracking = simulated;
  options.scripted = kind == EnvironmentKind::kReplay;
  env->faults = std::make_unique<faults::FaultController>(options);
  faults::FaultController* controller = env->faults.get();
  env->fs->SetDecider([controller](const std::string& point, const std::string& path) {
    return controller->OnHit(point, path);
  });
  faults::FaultFS* fs = env->fs.get();
  controller->SetTornHook([fs] { fs->TearNextAppendOnThisThread(); });
  // A `crash` fire at an engine point is a power loss right there (fs/ points crash FaultFS
  // themselves); the driver recovers after the step.
  controller->SetCrashHook([fs] { fs->Crash(faults::FaultFS::CrashMode::kDropUnsynced, 0); });
  if (engine::Status s = controller->Install(); !s.ok()) return s;
  return env;
}

engine::Status CopyDirectoryToDisk(engine::FileSystem* source, const std::string& from,
                                   const std::string& to) {
  std::error_code ec;
  std::filesystem::remove_all(to, ec);
  std::filesystem::create_directories(to, ec);
  if (ec) return engine::Status::IOError("cannot create " + to + ": " + ec.message());
  std::vector<std::string> names;
  if (engine::Status s = source->GetChildren(from, &names); !s.ok()) return s;
  for (const std::string& name : names) {
    std::string contents;
    if (engine::Status s = engine::ReadFileToString(source, from + "/" + name, &contents);
        !s.ok()) {
      return s;
    }
    if (engine::Status s = reports::WriteFileAtomically(to + "/" + name, contents); !s.ok()) {
      return s;
    }
  }
  return engine::Status::Ok();
}

}  // namespace harness::drivers
