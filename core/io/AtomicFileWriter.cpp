#include "io/AtomicFileWriter.h"

#include "common/InputError.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace featurescope {

namespace {
constexpr const char* kTemporaryInfix = ".tmp-";
constexpr std::size_t kRandomLength = 6; // mkstemp's XXXXXX

std::string folderOf(const std::string& path)
{
    const std::string parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}
} // namespace

std::string AtomicFileWriter::resolveLinks(const std::string& path)
{
    std::string current = path;
    for (int hop = 0; hop < 40; ++hop) { // the kernel's own limit on a chain of links
        struct stat status {};
        if (::lstat(current.c_str(), &status) != 0 || !S_ISLNK(status.st_mode))
            return current;
        std::string target(std::size_t(PATH_MAX), '\0');
        const ssize_t length = ::readlink(current.c_str(), target.data(), target.size());
        if (length < 0 || std::size_t(length) >= target.size())
            return current;
        target.resize(std::size_t(length));
        current = std::filesystem::path(target).is_absolute()
                      ? target
                      : (std::filesystem::path(folderOf(current)) / target).lexically_normal().string();
    }
    return current; // a cycle of links: replace the last one reached rather than loop forever
}

AtomicFileWriter::AtomicFileWriter(std::string path) : m_path(std::move(path)), m_target(resolveLinks(m_path))
{
    removeStaleTemporaries();
    m_temporary = m_target + kTemporaryInfix + std::string(kRandomLength, 'X');
    m_fd = ::mkostemp(m_temporary.data(), O_CLOEXEC);
    if (m_fd < 0)
        fail(errno);
    // Held until the descriptor closes (also when the process is killed), so a concurrent writer's cleanup
    // never removes a file that is still being written.
    ::flock(m_fd, LOCK_EX | LOCK_NB);
    struct stat existing {};
    ::fchmod(m_fd, ::stat(m_target.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : 0644);
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed && !m_temporary.empty())
        ::unlink(m_temporary.c_str());
}

void AtomicFileWriter::fail(int error) const
{
    throw InputError(m_path + ": cannot write the file (" + std::strerror(error) + ")");
}

void AtomicFileWriter::removeStaleTemporaries() const
{
    const std::string folder = folderOf(m_target);
    const std::string prefix = std::filesystem::path(m_target).filename().string() + kTemporaryInfix;
    DIR* dir = ::opendir(folder.c_str());
    if (!dir)
        return; // creating the temporary file will report the problem
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.size() != prefix.size() + kRandomLength || name.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string stale = folder + "/" + name;
        const int fd = ::open(stale.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            continue;
        struct stat status {};
        // Only our own kind: a regular file nobody is writing (its writer's lock died with it).
        if (::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0)
            ::unlink(stale.c_str());
        ::close(fd);
    }
    ::closedir(dir);
}

void AtomicFileWriter::write(const void* data, std::size_t size)
{
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t done = ::write(m_fd, bytes, size);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            fail(done < 0 ? errno : ENOSPC);
        bytes += done;
        size -= std::size_t(done);
    }
}

void AtomicFileWriter::commit()
{
    if (::fsync(m_fd) != 0)
        fail(errno);
    const int closed = ::close(m_fd);
    m_fd = -1;
    if (closed != 0)
        fail(errno);
    if (::rename(m_temporary.c_str(), m_target.c_str()) != 0)
        fail(errno);
    m_committed = true;
    // The rename is durable only once the folder's entry is on disk.
    const int folder = ::open(folderOf(m_target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder < 0)
        fail(errno);
    const int synced = ::fsync(folder);
    const int error = errno;
    ::close(folder);
    if (synced != 0 && error != EINVAL) // some filesystems cannot sync a folder; nothing more to do there
        fail(error);
}

void AtomicFileWriter::writeFile(const std::string& path, const std::string& bytes)
{
    AtomicFileWriter writer(path);
    writer.write(bytes);
    writer.commit();
}

} // namespace featurescope
