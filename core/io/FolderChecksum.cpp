#include "io/FolderChecksum.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "io/RegularFile.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace featurescope {

std::string FolderChecksum::compute(const std::string& folder, const std::vector<std::string>& names,
                                    const ProgressReporter* progress)
{
    namespace fs = std::filesystem;
    uLong crc = crc32_z(0L, Z_NULL, 0);
    auto add = [&crc](const void* data, std::size_t size) {
        crc = crc32_z(crc, static_cast<const Bytef*>(data), size);
    };
    std::vector<unsigned char> buffer(std::size_t(1) << 20);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string& name = names[i];
        add(name.data(), name.size() + 1); // with its terminating zero, so names cannot run into sizes
        const fs::path path = fs::path(folder) / name;
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) {
            add("-", 1);
            continue;
        }
        const RegularFile file = RegularFile::open(path.string());
        const std::uint64_t size = file.size();
        add(&size, sizeof size);
        std::uint64_t done = 0;
        while (done < size) {
            const ssize_t got = ::read(file.fd(), buffer.data(), buffer.size());
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                throw InputError(path.string() + ": cannot read the file (" + std::strerror(errno) + ")");
            if (got == 0)
                throw InputError(path.string() + ": the file became shorter while it was read");
            add(buffer.data(), std::size_t(got));
            done += std::uint64_t(got);
            if (progress) {
                if (progress->isCancelled())
                    throw Cancelled();
                progress->report((double(i) + double(done) / double(size)) / double(names.size()), "checking " + name);
            }
        }
    }
    char text[16];
    std::snprintf(text, sizeof text, "%08lx", static_cast<unsigned long>(crc & 0xffffffffUL));
    return std::string("crc32:") + text;
}

} // namespace featurescope
