#include "io/RegularFile.h"

#include "common/InputError.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace featurescope {

namespace {
std::string systemError(int error) { return std::strerror(error); }

std::string kindOf(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a named pipe (FIFO)";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}
} // namespace

RegularFile RegularFile::open(const std::string& path)
{
    RegularFile file;
    // O_NONBLOCK: opening a FIFO for reading otherwise waits until some process opens it for writing.
    file.m_fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (file.m_fd < 0) {
        const int error = errno;
        throw InputError(path + ": " + (error == ENOENT ? std::string("file not found")
                                                        : "cannot open the file for reading (" + systemError(error) + ")"));
    }
    struct stat status {};
    if (::fstat(file.m_fd, &status) != 0)
        throw InputError(path + ": cannot read the file size (" + systemError(errno) + ")");
    if (S_ISDIR(status.st_mode))
        throw InputError(path + ": is a folder, not a file");
    if (!S_ISREG(status.st_mode))
        throw InputError(path + ": is " + kindOf(status.st_mode) + ", not a regular file; featurescope reads only files");
    if (status.st_size < 0)
        throw InputError(path + ": cannot read the file size");
    file.m_size = std::uint64_t(status.st_size);
    const int flags = ::fcntl(file.m_fd, F_GETFL);
    if (flags < 0 || ::fcntl(file.m_fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        throw InputError(path + ": cannot open the file for reading (" + systemError(errno) + ")");
    return file;
}

RegularFile::RegularFile(RegularFile&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_size(other.m_size)
{
}

RegularFile& RegularFile::operator=(RegularFile&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_size = other.m_size;
    }
    return *this;
}

RegularFile::~RegularFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

int RegularFile::release() { return std::exchange(m_fd, -1); }

} // namespace featurescope
