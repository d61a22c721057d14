// libFuzzer harness: NpzArchive (libzip) on arbitrary bytes: list the members, read each header and array. Bad input
// must throw InputError, nothing else; the header read alone must agree with the full read.
#include "common/InputError.h"
#include "io/NpzArchive.h"

#include <cstdint>
#include <cstdlib>

using namespace featurescope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const NpzArchive archive = NpzArchive::fromBuffer("fuzz.npz", data, size);
        for (const auto& m : archive.members()) {
            try {
                const NpyHeader header = archive.header(m.name);
                const ArrayData a = archive.array(m.name);
                if (a.shape() != header.shape || a.dtype() != header.dtype)
                    std::abort();
                if (a.elementCount() <= (1u << 16))
                    (void)a.toFloatVector();
            } catch (const InputError&) {
            }
        }
    } catch (const InputError&) {
    }
    return 0;
}
