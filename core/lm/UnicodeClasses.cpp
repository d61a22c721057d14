#include "lm/UnicodeClasses.h"

#include <algorithm>

namespace featurescope {

namespace {

bool inRanges(const UnicodeRange* ranges, std::size_t count, char32_t c)
{
    const UnicodeRange* end = ranges + count;
    // The first range whose last code point is >= c.
    const UnicodeRange* it = std::lower_bound(ranges, end, c, [](const UnicodeRange& r, char32_t v) { return r.last < v; });
    return it != end && it->first <= c;
}

} // namespace

bool UnicodeClasses::isLetter(char32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    std::size_t count = 0;
    const UnicodeRange* ranges = letterRanges(count);
    return inRanges(ranges, count, c);
}

bool UnicodeClasses::isNumber(char32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    std::size_t count = 0;
    const UnicodeRange* ranges = numberRanges(count);
    return inRanges(ranges, count, c);
}

bool UnicodeClasses::isSpace(char32_t c)
{
    // JavaScript's WhiteSpace and LineTerminator: tab, LF, VT, FF, CR, space, NBSP, the Zs separators, LS, PS and
    // the byte-order mark.
    switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

} // namespace featurescope
