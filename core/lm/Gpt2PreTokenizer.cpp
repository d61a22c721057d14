#include "lm/Gpt2PreTokenizer.h"

#include "lm/UnicodeClasses.h"

namespace featurescope {

namespace {

enum class CharClass { Letter, Number, Space, Other };

struct CodePoint {
    char32_t value;
    std::size_t begin; // byte offset
    CharClass type;
};

// Decodes one UTF-8 sequence at `i`; an invalid or truncated one yields U+FFFD covering a single byte.
char32_t decodeAt(const std::string& s, std::size_t i, std::size_t& length)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    length = 1;
    if (b0 < 0x80)
        return b0;
    int extra = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if ((b0 & 0xE0) == 0xC0) { extra = 1; value = b0 & 0x1F; minimum = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { extra = 2; value = b0 & 0x0F; minimum = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { extra = 3; value = b0 & 0x07; minimum = 0x10000; }
    else return 0xFFFD;
    if (i + std::size_t(extra) >= s.size())
        return 0xFFFD;
    for (int k = 1; k <= extra; ++k) {
        const unsigned char b = byte(i + std::size_t(k));
        if ((b & 0xC0) != 0x80)
            return 0xFFFD;
        value = (value << 6) | (b & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        return 0xFFFD;
    length = std::size_t(extra) + 1;
    return value;
}

CharClass classify(char32_t c)
{
    if (UnicodeClasses::isLetter(c))
        return CharClass::Letter;
    if (UnicodeClasses::isNumber(c))
        return CharClass::Number;
    if (UnicodeClasses::isSpace(c))
        return CharClass::Space;
    return CharClass::Other;
}

std::size_t contractionLength(const std::vector<CodePoint>& cps, std::size_t i)
{
    if (cps[i].value != U'\'' || i + 1 >= cps.size())
        return 0;
    const char32_t a = cps[i + 1].value;
    if (a == U's' || a == U't' || a == U'm' || a == U'd')
        return 2;
    if (i + 2 < cps.size()) {
        const char32_t b = cps[i + 2].value;
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
            return 3;
    }
    return 0;
}

} // namespace

std::vector<std::pair<std::size_t, std::size_t>> Gpt2PreTokenizer::split(const std::string& text)
{
    std::vector<CodePoint> cps;
    cps.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t length = 1;
        const char32_t c = decodeAt(text, i, length);
        cps.push_back({c, i, classify(c)});
        i += length;
    }
    const std::size_t n = cps.size();
    auto byteAt = [&](std::size_t k) { return k < n ? cps[k].begin : text.size(); };
    auto runOf = [&](std::size_t k, CharClass type) {
        while (k < n && cps[k].type == type)
            ++k;
        return k;
    };

    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    std::size_t i = 0;
    while (i < n) {
        std::size_t end = i;
        if (const std::size_t c = contractionLength(cps, i)) {
            end = i + c;
        } else {
            // " ?X+" for letters, numbers and other characters: an optional leading space joins the run after it.
            const bool spaceLead = cps[i].value == U' ' && i + 1 < n && cps[i + 1].type != CharClass::Space;
            const std::size_t start = spaceLead ? i + 1 : i;
            const CharClass type = cps[start].type;
            if (type != CharClass::Space) {
                end = runOf(start, type);
            } else {
                // "\s+(?!\S)": a run of spaces that is followed by a non-space gives up its last character (which
                // then leads the next piece); a single space before a non-space falls to "\s+".
                const std::size_t runEnd = runOf(i, CharClass::Space);
                end = runEnd == n || runEnd - i == 1 ? runEnd : runEnd - 1;
            }
        }
        pieces.emplace_back(byteAt(i), byteAt(end));
        i = end;
    }
    return pieces;
}

} // namespace featurescope
