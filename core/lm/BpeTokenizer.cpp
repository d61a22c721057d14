#include "lm/BpeTokenizer.h"

#include "common/InputError.h"
#include "io/FileText.h"
#include "io/MappedFile.h"
#include "lm/Gpt2PreTokenizer.h"

#include <nlohmann/json.hpp>

#include <climits>

namespace featurescope {

namespace {

constexpr std::size_t kCacheLimit = 200000;

std::string utf8(char32_t c)
{
    std::string s;
    if (c < 0x80) {
        s += char(c);
    } else if (c < 0x800) {
        s += char(0xC0 | (c >> 6));
        s += char(0x80 | (c & 0x3F));
    } else {
        s += char(0xE0 | (c >> 12));
        s += char(0x80 | ((c >> 6) & 0x3F));
        s += char(0x80 | (c & 0x3F));
    }
    return s;
}

// GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 bytes take the code points
// from U+0100 upward in byte order, so every byte is a visible character and BPE never sees spaces or controls.
void byteSymbols(std::string (&symbols)[256])
{
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        symbols[b] = utf8(printable ? char32_t(b) : next++);
    }
}

std::string readBounded(const std::string& path, const char* what)
{
    const auto file = MappedFile::open(path);
    if (file->size() > BpeTokenizer::kMaxFileBytes)
        throw InputError(path + ": larger than 64 MB (not a " + what + ")");
    return std::string(reinterpret_cast<const char*>(file->data()), std::size_t(file->size()));
}

} // namespace

BpeTokenizer::BpeTokenizer(const BpeTokenizer& other)
    : m_vocab(other.m_vocab), m_ranks(other.m_ranks), m_idBytes(other.m_idBytes), m_bos(other.m_bos)
{
    for (int b = 0; b < 256; ++b)
        m_byteSymbol[b] = other.m_byteSymbol[b];
}

BpeTokenizer::BpeTokenizer(BpeTokenizer&& other) noexcept
    : m_vocab(std::move(other.m_vocab)), m_ranks(std::move(other.m_ranks)), m_idBytes(std::move(other.m_idBytes)),
      m_bos(other.m_bos)
{
    for (int b = 0; b < 256; ++b)
        m_byteSymbol[b] = std::move(other.m_byteSymbol[b]);
}

BpeTokenizer::~BpeTokenizer() = default;

BpeTokenizer BpeTokenizer::load(const std::string& vocabPath, const std::string& mergesPath)
{
    return parse(readBounded(vocabPath, "vocab.json"), vocabPath, readBounded(mergesPath, "merges.txt"), mergesPath);
}

BpeTokenizer BpeTokenizer::parse(const std::string& vocabText, const std::string& vocabName,
                                 const std::string& mergesText, const std::string& mergesName)
{
    BpeTokenizer t;
    byteSymbols(t.m_byteSymbol);
    if (vocabText.size() > kMaxFileBytes)
        throw InputError(vocabName + ": larger than 64 MB (not a vocab.json)");
    if (mergesText.size() > kMaxFileBytes)
        throw InputError(mergesName + ": larger than 64 MB (not a merges.txt)");

    nlohmann::json vocab;
    try {
        vocab = nlohmann::json::parse(vocabText);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(vocabName + ": not valid JSON (" + FileText::printable(e.what(), 120) + ")");
    }
    if (!vocab.is_object() || vocab.empty())
        throw InputError(vocabName + ": must hold a non-empty JSON object {token: id}");
    if (vocab.size() > kMaxEntries)
        throw InputError(vocabName + ": more than " + std::to_string(kMaxEntries) + " tokens");
    // Reverse map of the byte symbols, to turn token strings back into bytes.
    std::unordered_map<std::string, char> symbolByte;
    for (int b = 0; b < 256; ++b)
        symbolByte[t.m_byteSymbol[b]] = char(b);
    std::vector<std::string> byId(vocab.size());
    std::vector<bool> used(vocab.size(), false);
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        const std::string& token = it.key();
        if (token.empty() || token.size() > kMaxTokenBytes)
            throw InputError(vocabName + ": a token is empty or longer than " + std::to_string(kMaxTokenBytes) + " bytes");
        if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() >= (long long)vocab.size())
            throw InputError(vocabName + ": token " + FileText::quoted(token) + " has id " +
                             FileText::printable(it->dump(), 24) + ", not an integer in [0, " +
                             std::to_string(vocab.size()) + ")");
        const std::size_t id = std::size_t(it->get<long long>());
        if (used[id])
            throw InputError(vocabName + ": id " + std::to_string(id) + " is given to two tokens");
        used[id] = true;
        t.m_vocab.emplace(token, int(id));
        // Token string -> bytes: symbol by symbol (a character outside the byte map stands for its own UTF-8).
        std::string bytes;
        for (std::size_t i = 0; i < token.size();) {
            std::size_t length = 1;
            const unsigned char lead = static_cast<unsigned char>(token[i]);
            if (lead >= 0xF0) length = 4; else if (lead >= 0xE0) length = 3; else if (lead >= 0xC0) length = 2;
            length = std::min(length, token.size() - i);
            const std::string symbol = token.substr(i, length);
            const auto found = symbolByte.find(symbol);
            bytes += found != symbolByte.end() ? std::string(1, found->second) : symbol;
            i += length;
        }
        byId[id] = std::move(bytes);
    }
    t.m_idBytes = std::move(byId);
    for (int b = 0; b < 256; ++b)
        if (!t.m_vocab.count(t.m_byteSymbol[b]))
            throw InputError(vocabName + ": byte " + std::to_string(b) + " has no token (not a byte-level BPE vocabulary)");
    if (const auto it = t.m_vocab.find("<|endoftext|>"); it != t.m_vocab.end())
        t.m_bos = it->second;

    std::size_t lineStart = 0;
    int lineNumber = 0;
    while (lineStart < mergesText.size()) {
        std::size_t lineEnd = mergesText.find('\n', lineStart);
        if (lineEnd == std::string::npos)
            lineEnd = mergesText.size();
        std::string line = mergesText.substr(lineStart, lineEnd - lineStart);
        lineStart = lineEnd + 1;
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || (lineNumber == 1 && line.rfind("#version", 0) == 0))
            continue;
        const std::size_t space = line.find(' ');
        if (space == 0 || space == std::string::npos || space + 1 == line.size() ||
            line.find(' ', space + 1) != std::string::npos)
            throw InputError(mergesName + ": line " + std::to_string(lineNumber) + " is not two symbols separated by "
                             "one space: " + FileText::quoted(line, 60));
        const std::string merged = line.substr(0, space) + line.substr(space + 1);
        if (!t.m_vocab.count(merged))
            throw InputError(mergesName + ": line " + std::to_string(lineNumber) + " merges into " +
                             FileText::quoted(merged, 60) + ", which is not in " + vocabName);
        if (t.m_ranks.size() >= kMaxEntries)
            throw InputError(mergesName + ": more than " + std::to_string(kMaxEntries) + " merges");
        t.m_ranks.emplace(std::move(line), int(t.m_ranks.size())); // a repeated pair keeps its first rank
    }
    return t;
}

std::string BpeTokenizer::tokenBytes(int id) const
{
    if (id < 0 || id >= int(m_idBytes.size()))
        throw InputError("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                         std::to_string(m_idBytes.size()) + ")");
    return m_idBytes[std::size_t(id)];
}

std::vector<int> BpeTokenizer::encode(const std::string& text) const
{
    std::vector<int> ids;
    for (const auto& [begin, end] : Gpt2PreTokenizer::split(text))
        encodePiece(text.substr(begin, end - begin), ids);
    return ids;
}

void BpeTokenizer::encodePiece(const std::string& bytes, std::vector<int>& out) const
{
    {
        std::lock_guard<std::mutex> lock(m_cacheMutex);
        if (const auto it = m_cache.find(bytes); it != m_cache.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<std::string> symbols;
    symbols.reserve(bytes.size());
    for (const char c : bytes)
        symbols.push_back(m_byteSymbol[static_cast<unsigned char>(c)]);
    std::string key;
    while (symbols.size() > 1) {
        int bestRank = INT_MAX;
        std::size_t best = 0;
        for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
            key.assign(symbols[i]).append(1, ' ').append(symbols[i + 1]);
            if (const auto it = m_ranks.find(key); it != m_ranks.end() && it->second < bestRank) {
                bestRank = it->second;
                best = i;
            }
        }
        if (bestRank == INT_MAX)
            break;
        // Merge every occurrence of the best pair, left to right.
        const std::string first = symbols[best], second = symbols[best + 1];
        std::vector<std::string> merged;
        merged.reserve(symbols.size());
        for (std::size_t i = 0; i < symbols.size(); ++i) {
            if (i + 1 < symbols.size() && symbols[i] == first && symbols[i + 1] == second) {
                merged.push_back(first + second);
                ++i;
            } else {
                merged.push_back(symbols[i]);
            }
        }
        symbols = std::move(merged);
    }
    std::vector<int> ids;
    ids.reserve(symbols.size());
    for (const std::string& s : symbols)
        ids.push_back(m_vocab.at(s)); // load() checked every byte and every merge result is in the vocabulary
    out.insert(out.end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(m_cacheMutex);
    if (m_cache.size() >= kCacheLimit)
        m_cache.clear();
    m_cache.emplace(bytes, std::move(ids));
}

} // namespace featurescope
