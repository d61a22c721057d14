#pragma once

#include "lm/Tokenizer.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace featurescope {

// GPT-2's byte-level BPE: text is split by Gpt2PreTokenizer, each piece's UTF-8 bytes are mapped to printable code
// points (bytes_to_unicode), and adjacent symbols are merged, lowest merge rank first, until no listed pair
// remains; the symbols are then looked up in the vocabulary. vocab.json maps token strings to ids; merges.txt
// lists one "a b" pair per line in rank order after an optional "#version" line.
class BpeTokenizer : public Tokenizer {
public:
    static constexpr std::uint64_t kMaxFileBytes = 64ull << 20;
    static constexpr std::size_t kMaxTokenBytes = 4096;
    static constexpr std::size_t kMaxEntries = 1u << 20;

    // Throws InputError naming the file for malformed, oversized or inconsistent files (a merge whose result is
    // not in the vocabulary, a byte with no token, duplicate ids).
    static BpeTokenizer load(const std::string& vocabPath, const std::string& mergesPath);
    static BpeTokenizer parse(const std::string& vocabText, const std::string& vocabName, const std::string& mergesText,
                              const std::string& mergesName);

    BpeTokenizer(const BpeTokenizer& other);
    BpeTokenizer(BpeTokenizer&&) noexcept;
    ~BpeTokenizer() override;

    std::vector<int> encode(const std::string& text) const override;
    std::string tokenBytes(int id) const override;
    int vocabSize() const override { return int(m_idBytes.size()); }
    std::optional<int> bosId() const override { return m_bos; }
    std::string kind() const override { return "gpt2-bpe"; }
    std::size_t mergeCount() const { return m_ranks.size(); }

private:
    BpeTokenizer() = default;
    void encodePiece(const std::string& bytes, std::vector<int>& out) const;

    std::unordered_map<std::string, int> m_vocab;  // mapped token string -> id
    std::unordered_map<std::string, int> m_ranks;  // "a b" -> rank
    std::vector<std::string> m_idBytes;            // id -> raw bytes
    std::string m_byteSymbol[256];                 // byte -> its mapped code point, UTF-8
    std::optional<int> m_bos;
    mutable std::mutex m_cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int>> m_cache;
};

} // namespace featurescope
