#pragma once

#include "lm/Tokenizer.h"

namespace featurescope {

// One token per byte (vocabulary 256, no BOS): the tokenizer of featurescope's own small models.
class ByteTokenizer : public Tokenizer {
public:
    std::vector<int> encode(const std::string& text) const override
    {
        std::vector<int> ids(text.size());
        for (std::size_t i = 0; i < text.size(); ++i)
            ids[i] = static_cast<unsigned char>(text[i]);
        return ids;
    }
    std::string tokenBytes(int id) const override { return std::string(1, char(static_cast<unsigned char>(id))); }
    int vocabSize() const override { return 256; }
    std::optional<int> bosId() const override { return std::nullopt; }
    std::string kind() const override { return "bytes"; }
};

} // namespace featurescope
