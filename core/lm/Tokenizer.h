#pragma once

#include <optional>
#include <string>
#include <vector>

namespace featurescope {

// Turns text (UTF-8 bytes) into token ids of a language model's vocabulary and back.
class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    virtual std::vector<int> encode(const std::string& text) const = 0;
    // The bytes token `id` stands for (may be part of a UTF-8 character).
    virtual std::string tokenBytes(int id) const = 0;
    virtual int vocabSize() const = 0;
    // The beginning-of-sequence token, when the vocabulary has one.
    virtual std::optional<int> bosId() const = 0;
    virtual std::string kind() const = 0;

    std::string decode(const std::vector<int>& ids) const
    {
        std::string text;
        for (const int id : ids)
            text += tokenBytes(id);
        return text;
    }
};

} // namespace featurescope
