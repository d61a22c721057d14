#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

// The text a language model trains or is evaluated on: one file, or every regular file directly in a folder
// (sorted by name; hidden files and the `.dat` / `.u8` index files of the Debian `fortunes` package skipped),
// concatenated as bytes. Bounded by kMaxBytes; an empty corpus or unreadable path is one InputError.
class TextCorpus {
public:
    static constexpr std::uint64_t kMaxBytes = 1ull << 30;
    // The Debian package `fortunes` puts its text files here.
    static constexpr const char* kDefaultPath = "/usr/share/games/fortunes";

    static TextCorpus load(const std::string& path);

    const std::string& text() const { return m_text; }
    const std::vector<std::string>& files() const { return m_files; }

private:
    std::string m_text;
    std::vector<std::string> m_files;
};

} // namespace featurescope
