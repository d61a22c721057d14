#include "io/GzipFile.h"

#include "common/InputError.h"
#include "io/RegularFile.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include <unistd.h>

namespace featurescope {

GzipFile::GzipFile(const std::string& path) : m_path(path)
{
    RegularFile file = RegularFile::open(path);
    m_fileSize = file.size();
    unsigned char magic[2] = {0, 0};
    m_compressed = ::pread(file.fd(), magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    m_file = gzdopen(file.fd(), "rb"); // owns the descriptor from here on
    if (!m_file)
        throw InputError(path + ": cannot open the file for reading");
    file.release();
    gzbuffer(static_cast<gzFile>(m_file), 1 << 17);
}

GzipFile::~GzipFile()
{
    if (m_file)
        gzclose(static_cast<gzFile>(m_file));
}

std::uint64_t GzipFile::maxContentSize() const { return m_compressed ? m_fileSize * kMaxExpansion : m_fileSize; }

std::size_t GzipFile::read(void* buffer, std::size_t count)
{
    auto* out = static_cast<unsigned char*>(buffer);
    std::size_t done = 0;
    while (done < count) {
        const unsigned piece = static_cast<unsigned>(std::min<std::size_t>(count - done, 1u << 30));
        const int got = gzread(static_cast<gzFile>(m_file), out + done, piece);
        if (got < 0) {
            int code = 0;
            const char* message = gzerror(static_cast<gzFile>(m_file), &code);
            throw InputError(m_path + ": corrupt " + (m_compressed ? "gzip data" : "data") + " (" +
                             (message ? message : "read error") + ")");
        }
        if (got == 0) {
            // End of data, or a gzip stream cut short (zlib reports that as an error only here).
            int code = 0;
            const char* message = gzerror(static_cast<gzFile>(m_file), &code);
            if (code != Z_OK && code != Z_STREAM_END)
                throw InputError(m_path + ": corrupt or truncated gzip data (" + (message ? message : "read error") +
                                 ")");
            break;
        }
        done += std::size_t(got);
    }
    return done;
}

void GzipFile::readExactly(void* buffer, std::size_t count, const std::string& what)
{
    const std::size_t got = read(buffer, count);
    if (got != count)
        throw InputError(m_path + ": truncated file: " + what + " needs " + std::to_string(count) + " bytes, only " +
                         std::to_string(got) + " present");
}

bool GzipFile::atEnd()
{
    unsigned char probe;
    return read(&probe, 1) == 0;
}

} // namespace featurescope
