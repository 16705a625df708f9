// A main for the fuzz targets built without libFuzzer (the release and sanitizer builds): runs
// LLVMFuzzerTestOneInput on every file named, and on every file in every directory named, so the
// seed corpora and the inputs that once crashed a target stay regression tests in every build.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

size_t RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  size_t inputs = 0;
  for (int i = 1; i < argc; i++) {
    const std::filesystem::path path(argv[i]);
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) inputs += RunFile(file);
    } else if (std::filesystem::is_regular_file(path)) {
      inputs += RunFile(path);
    }  // a target with no regression inputs yet has no directory for them
  }
  std::printf("replayed %zu inputs\n", inputs);
  // No input at all means the corpus is missing: a test that checks nothing must not pass.
  return inputs > 0 ? 0 : 2;
}
