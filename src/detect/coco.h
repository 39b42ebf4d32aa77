// COCO-80 class names, in the order detectors trained on COCO emit them.
#pragma once

#include <string>
#include <string_view>

namespace argus::detect {

inline constexpr int kCocoClasses = 80;

// "person" for 0 ... "toothbrush" for 79; "class<N>" outside the table.
std::string CocoLabel(int class_id);
// -1 when `name` is not a COCO class name.
int CocoClassId(std::string_view name);

}  // namespace argus::detect
