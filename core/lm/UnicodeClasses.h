#pragma once

#include <cstddef>
#include <cstdint>

namespace featurescope {

struct UnicodeRange {
    char32_t first;
    char32_t last;
};

// The character classes of GPT-2's pre-tokenizer: \p{L} (letters), \p{N} (numbers) from a generated table of
// Unicode general categories, and \s as JavaScript defines it (the reference encoder is JavaScript).
class UnicodeClasses {
public:
    static bool isLetter(char32_t c);
    static bool isNumber(char32_t c);
    static bool isSpace(char32_t c);

    // The generated tables (UnicodeClassesData.cpp), sorted and disjoint.
    static const UnicodeRange* letterRanges(std::size_t& count);
    static const UnicodeRange* numberRanges(std::size_t& count);
};

} // namespace featurescope
