#include "io/FileText.h"

namespace featurescope {

std::string FileText::printable(const std::string& text, std::size_t maxLength)
{
    std::string out;
    for (unsigned char c : text) {
        if (out.size() >= maxLength) {
            out += "...";
            break;
        }
        out += (c >= 0x20 && c < 0x7F) ? char(c) : '?';
    }
    return out;
}

std::string FileText::quoted(const std::string& text, std::size_t maxLength)
{
    return "'" + printable(text, maxLength) + "'";
}

} // namespace featurescope
