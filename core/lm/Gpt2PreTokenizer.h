#pragma once

#include <string>
#include <utility>
#include <vector>

namespace featurescope {

// GPT-2's pre-tokenizer: splits text into the pieces its regular expression
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// matches, written by hand over UTF-8 code points (std::regex has no \p{L}). Bytes that are not valid UTF-8 count
// as single "other" characters, so any input splits and the pieces always cover the text.
class Gpt2PreTokenizer {
public:
    // [begin, end) byte ranges of the pieces, in order.
    static std::vector<std::pair<std::size_t, std::size_t>> split(const std::string& text);
};

} // namespace featurescope
