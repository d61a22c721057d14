#pragma once

#include <cstdint>
#include <string>

namespace featurescope {

// The one way core opens an input file: a read-only descriptor of a REGULAR file. The open is non-blocking, so a
// FIFO (or a device) named as input cannot hang the program waiting for a writer; fstat then refuses anything that
// is not a regular file with a message naming it, and only then is the descriptor made blocking again for reading.
// Errors throw InputError "<path>: ...".
class RegularFile {
public:
    static RegularFile open(const std::string& path);

    RegularFile(RegularFile&& other) noexcept;
    RegularFile& operator=(RegularFile&& other) noexcept;
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;
    ~RegularFile();

    int fd() const { return m_fd; }
    std::uint64_t size() const { return m_size; } // at open time
    // Hands the descriptor to a library that closes it (gzdopen, zip_fdopen).
    int release();

private:
    RegularFile() = default;

    int m_fd = -1;
    std::uint64_t m_size = 0;
};

} // namespace featurescope
