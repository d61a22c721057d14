#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace featurescope {

// A whole file, read-only, memory-mapped (mmap) so that large arrays are paged in on demand instead of read; small
// files are read into memory. Errors throw InputError naming the file. Shared by the arrays that view it
// (ArrayData keeps a shared_ptr to it). Like any mmap reader, a file truncated by another process while mapped can
// fault: featurescope maps only files it opened for reading and does not keep them across user actions.
class MappedFile {
public:
    // Files up to this size are read rather than mapped.
    static constexpr std::uint64_t kReadThreshold = 1u << 20;

    static std::shared_ptr<const MappedFile> open(const std::string& path);
    // Wraps bytes already in memory (an npz member, a fuzzer input) with a name for messages.
    static std::shared_ptr<const MappedFile> fromBuffer(std::string name, const std::uint8_t* data, std::size_t size);
    static std::shared_ptr<const MappedFile> fromBuffer(std::string name, std::string bytes);

    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::string& path() const { return m_path; }
    const std::uint8_t* data() const { return m_data; }
    std::uint64_t size() const { return m_size; }
    bool isMapped() const { return m_mapped; }

private:
    MappedFile() = default;

    std::string m_path;
    const std::uint8_t* m_data = nullptr;
    std::uint64_t m_size = 0;
    bool m_mapped = false;
    std::string m_buffer;
};

} // namespace featurescope
