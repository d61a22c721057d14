#pragma once

#include <string>

namespace featurescope {

// Text taken from a hostile file (a tensor name, a JSON parser's excerpt) made safe for a one-line message:
// control characters and bytes outside printable ASCII become '?', and long text is cut with "...".
class FileText {
public:
    static std::string printable(const std::string& text, std::size_t maxLength = 80);
    // printable() in single quotes.
    static std::string quoted(const std::string& text, std::size_t maxLength = 80);
};

} // namespace featurescope
