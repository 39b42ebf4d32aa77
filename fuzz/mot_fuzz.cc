// libFuzzer target: the MOTChallenge readers (det/gt/tracks text, seqinfo.ini) and
// what `argus learn tracks` makes of the rows. Rows that parse must survive being
// written and read back (the tracks file Argus writes is read by the same parser).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "learn/mot_tracks.h"
#include "track/mot_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)argus::track::ParseSeqInfo(text, "seqinfo.ini");
  auto rows = argus::track::ParseMot(text, "fuzz.txt");
  if (!rows.ok()) return 0;
  (void)argus::learn::TracksFromMot(*rows, 25);
  auto again = argus::track::ParseMot(argus::track::FormatMotResults(*rows), "written.txt");
  if (!again.ok() || again->size() != rows->size()) {
    std::fprintf(stderr, "rows that parsed do not read back: %s\n",
                 again.ok() ? "row count differs" : again.status().ToString().c_str());
    std::abort();
  }
  return 0;
}
