#include "core/xml.h"

#include <gtest/gtest.h>

namespace argus::core {
namespace {

TEST(XmlEscape, MarkupCharactersBecomeEntitiesAndTheRestStays) {
  EXPECT_EQ(XmlEscape("Hall <A> & \"B\" — café"), "Hall &lt;A&gt; &amp; &quot;B&quot; — café");
  EXPECT_EQ(XmlEscape(""), "");
  EXPECT_EQ(XmlEscape("&amp;"), "&amp;amp;");  // escaped once more: text, not markup
}

}  // namespace
}  // namespace argus::core
