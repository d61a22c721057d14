// libFuzzer harness: IdxReader (plain or gzipped IDX files) on arbitrary bytes. IdxReader reads paths, so each input
// is written to one temporary file per process. Bad input must throw InputError, nothing else.
#include "common/InputError.h"
#include "io/IdxReader.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace featurescope;

namespace {
const std::string& scratchPath()
{
    static const std::string path = [] {
        char name[] = "/tmp/featurescope-fuzz-idx-XXXXXX";
        const int fd = mkstemp(name);
        if (fd < 0)
            std::abort();
        close(fd);
        return std::string(name);
    }();
    return path;
}
struct Cleanup {
    ~Cleanup() { std::remove(scratchPath().c_str()); }
} cleanup;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::FILE* f = std::fopen(scratchPath().c_str(), "wb");
    if (!f)
        std::abort();
    if (size)
        std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        (void)IdxReader::read(scratchPath());
    } catch (const InputError&) {
    }
    try {
        (void)IdxReader::readImages(scratchPath());
    } catch (const InputError&) {
    }
    try {
        (void)IdxReader::readLabels(scratchPath());
    } catch (const InputError&) {
    }
    return 0;
}
