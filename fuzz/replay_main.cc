// Runs a libFuzzer target without libFuzzer (the test build uses GCC): every file of the
// corpus directories given, then inputs mutated from them with a fixed seed until the time
// budget is spent. Not coverage-guided; `make fuzz` runs the real fuzzer with clang.
//   <target>_replay [--seconds S] [--seed N] DIR...
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Small edits of the kinds that break parsers: cut, flip, repeat, splice, tokens.
std::string Mutate(std::mt19937& rng, const std::vector<std::string>& corpus, std::string s) {
  static const char* const kTokens[] = {"\n", "{", "}",     "[",   "]",    "\"",   ":",   ",",
                                        "- ", "&", "*a",    "&a ", "%",    "=",    "?",   "\\",
                                        "-1", "0", "1e999", "nan", "\xff", "\x00", "null"};
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    const size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:
        if (!s.empty()) s.erase(std::min(at, s.size() - 1), 1 + rng() % 16);
        break;
      case 1: {
        const char* t = kTokens[rng() % std::size(kTokens)];
        s.insert(at, t, std::max<size_t>(1, std::strlen(t)));
        break;
      }
      case 2:
        if (!s.empty()) s[std::min(at, s.size() - 1)] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 3:
        s.insert(at, s.substr(rng() % (s.size() + 1), rng() % 64));
        break;
      default: {
        const std::string& other = corpus[rng() % corpus.size()];
        s.insert(at, other.substr(rng() % (other.size() + 1), rng() % 128));
      }
    }
  }
  return s.substr(0, 64 * 1024);
}

int Run(const std::string& input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0;
  unsigned seed = 1;
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = static_cast<unsigned>(std::atoi(argv[++i]));
    } else {
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(argv[i], ec)) {
        std::ifstream in(e.path(), std::ios::binary);
        corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      if (ec) {
        std::fprintf(stderr, "%s: %s\n", argv[i], ec.message().c_str());
        return 2;
      }
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "no corpus files given\n");
    return 2;
  }
  for (const std::string& input : corpus) Run(input);
  std::mt19937 rng(seed);
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  size_t mutated = 0;
  while (std::chrono::steady_clock::now() < until) {
    Run(Mutate(rng, corpus, corpus[rng() % corpus.size()]));
    ++mutated;
  }
  std::printf("%zu corpus inputs and %zu mutated inputs ran clean (seed %u)\n", corpus.size(),
              mutated, seed);
  return 0;
}
