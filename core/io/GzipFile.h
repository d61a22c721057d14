#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace featurescope {

// Reads a file that may or may not be gzip-compressed (zlib's gz* API reads both transparently). Errors throw
// InputError naming the file. Knows the file's size on disk, so callers can bound what a header may claim.
class GzipFile {
public:
    // Deflate expands at most ~1032:1; a gzipped payload larger than this times the file size is a lie.
    static constexpr std::uint64_t kMaxExpansion = 1032;

    explicit GzipFile(const std::string& path); // throws InputError
    ~GzipFile();
    GzipFile(const GzipFile&) = delete;
    GzipFile& operator=(const GzipFile&) = delete;

    const std::string& path() const { return m_path; }
    bool isCompressed() const { return m_compressed; }
    std::uint64_t fileSize() const { return m_fileSize; }
    // Most uncompressed bytes the file can hold (the file size, or kMaxExpansion times it when compressed).
    std::uint64_t maxContentSize() const;

    // Reads up to `count` bytes; returns how many were read (fewer only at the end of the data).
    std::size_t read(void* buffer, std::size_t count);
    // Reads exactly `count` bytes or throws InputError("... truncated ...") mentioning `what`.
    void readExactly(void* buffer, std::size_t count, const std::string& what);
    // True when no data is left.
    bool atEnd();

private:
    std::string m_path;
    void* m_file = nullptr; // gzFile
    bool m_compressed = false;
    std::uint64_t m_fileSize = 0;
};

} // namespace featurescope
