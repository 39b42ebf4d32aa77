#include "detect/coco.h"

#include <array>

namespace argus::detect {
namespace {

constexpr std::array<std::string_view, kCocoClasses> kNames = {
    "person",        "bicycle",      "car",
    "motorcycle",    "airplane",     "bus",
    "train",         "truck",        "boat",
    "traffic light", "fire hydrant", "stop sign",
    "parking meter", "bench",        "bird",
    "cat",           "dog",          "horse",
    "sheep",         "cow",          "elephant",
    "bear",          "zebra",        "giraffe",
    "backpack",      "umbrella",     "handbag",
    "tie",           "suitcase",     "frisbee",
    "skis",          "snowboard",    "sports ball",
    "kite",          "baseball bat", "baseball glove",
    "skateboard",    "surfboard",    "tennis racket",
    "bottle",        "wine glass",   "cup",
    "fork",          "knife",        "spoon",
    "bowl",          "banana",       "apple",
    "sandwich",      "orange",       "broccoli",
    "carrot",        "hot dog",      "pizza",
    "donut",         "cake",         "chair",
    "couch",         "potted plant", "bed",
    "dining table",  "toilet",       "tv",
    "laptop",        "mouse",        "remote",
    "keyboard",      "cell phone",   "microwave",
    "oven",          "toaster",      "sink",
    "refrigerator",  "book",         "clock",
    "vase",          "scissors",     "teddy bear",
    "hair drier",    "toothbrush"};

}  // namespace

std::string CocoLabel(int class_id) {
  if (class_id < 0 || class_id >= kCocoClasses) return "class" + std::to_string(class_id);
  return std::string(kNames[class_id]);
}

int CocoClassId(std::string_view name) {
  for (int i = 0; i < kCocoClasses; ++i) {
    if (kNames[i] == name) return i;
  }
  return -1;
}

}  // namespace argus::detect
