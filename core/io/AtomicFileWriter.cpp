#include "io/AtomicFileWriter.h"

#include "common/InputError.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace featurescope {

AtomicFileWriter::AtomicFileWriter(std::string path) : m_path(std::move(path))
{
    m_temporary = m_path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(m_temporary.data());
    if (fd < 0)
        throw InputError(m_path + ": cannot write the file (" + std::strerror(errno) + ")");
    ::fchmod(fd, 0644);
    m_file = ::fdopen(fd, "wb");
    if (!m_file) {
        ::close(fd);
        ::unlink(m_temporary.c_str());
        throw InputError(m_path + ": cannot write the file (" + std::strerror(errno) + ")");
    }
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (m_file)
        std::fclose(m_file);
    if (!m_committed)
        ::unlink(m_temporary.c_str());
}

void AtomicFileWriter::write(const void* data, std::size_t size)
{
    if (size && std::fwrite(data, 1, size, m_file) != size)
        throw InputError(m_path + ": cannot write the file (" + std::strerror(errno) + ")");
}

void AtomicFileWriter::commit()
{
    const bool flushed = std::fflush(m_file) == 0 && ::fsync(::fileno(m_file)) == 0;
    const int error = errno;
    std::fclose(m_file);
    m_file = nullptr;
    if (!flushed)
        throw InputError(m_path + ": cannot write the file (" + std::strerror(error) + ")");
    if (::rename(m_temporary.c_str(), m_path.c_str()) != 0)
        throw InputError(m_path + ": cannot write the file (" + std::strerror(errno) + ")");
    m_committed = true;
}

void AtomicFileWriter::writeFile(const std::string& path, const std::string& bytes)
{
    AtomicFileWriter writer(path);
    writer.write(bytes);
    writer.commit();
}

} // namespace featurescope
