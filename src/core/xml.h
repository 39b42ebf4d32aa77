// Text for XML and HTML documents (SVG pictures, HTML reports).
#pragma once

#include <string>

namespace argus::core {

// `s` as character data or an attribute value: &, <, > and " escaped.
inline std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace argus::core
