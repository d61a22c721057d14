#include "io/MappedFile.h"

#include "common/InputError.h"
#include "io/RegularFile.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace featurescope {

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path)
{
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    const RegularFile f = RegularFile::open(path);
    file->m_size = f.size();
    if (file->m_size > kReadThreshold) {
        void* mapped = ::mmap(nullptr, std::size_t(file->m_size), PROT_READ, MAP_PRIVATE, f.fd(), 0);
        if (mapped != MAP_FAILED) {
            file->m_data = static_cast<const std::uint8_t*>(mapped);
            file->m_mapped = true;
            return file;
        }
    }
    // Small file (or mmap refused): read it; the size read is the truth, whatever fstat said.
    file->m_buffer.resize(std::size_t(file->m_size));
    std::size_t done = 0;
    while (done < file->m_buffer.size()) {
        const ssize_t got = ::read(f.fd(), file->m_buffer.data() + done, file->m_buffer.size() - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throw InputError(path + ": read error (" + std::string(std::strerror(errno)) + ")");
        if (got == 0)
            break;
        done += std::size_t(got);
    }
    file->m_buffer.resize(done);
    file->m_size = done;
    file->m_data = reinterpret_cast<const std::uint8_t*>(file->m_buffer.data());
    return file;
}

std::shared_ptr<const MappedFile> MappedFile::fromBuffer(std::string name, std::string bytes)
{
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = std::move(name);
    file->m_buffer = std::move(bytes);
    file->m_size = file->m_buffer.size();
    file->m_data = reinterpret_cast<const std::uint8_t*>(file->m_buffer.data());
    return file;
}

std::shared_ptr<const MappedFile> MappedFile::fromBuffer(std::string name, const std::uint8_t* data, std::size_t size)
{
    return fromBuffer(std::move(name), std::string(reinterpret_cast<const char*>(data), size));
}

MappedFile::~MappedFile()
{
    if (m_mapped && m_data)
        ::munmap(const_cast<std::uint8_t*>(m_data), std::size_t(m_size));
}

} // namespace featurescope
