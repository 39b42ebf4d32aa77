// Small helpers shared by the FFmpeg adapters (ingest, record).
#pragma once

#include <string>

namespace argus::ingest {

// FFmpeg's message for an AVERROR code.
std::string AvErrorString(int err);

// Limits FFmpeg's own log to errors, once per process. Its warnings (corrupt packets while a
// camera reconnects, encoder statistics) are noise for operators; our log says what matters.
void QuietFfmpegLogsOnce();

}  // namespace argus::ingest
