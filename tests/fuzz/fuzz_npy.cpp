// libFuzzer harness: NpyFile on arbitrary bytes (both dtype conventions). Bad input must throw InputError; an array
// that parses must convert, and its serialisation must parse back identical.
#include "common/InputError.h"
#include "io/NpyFile.h"

#include <cstdint>
#include <cstdlib>

using namespace featurescope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    for (bool bf16 : {false, true}) {
        try {
            NpyReadOptions options;
            options.u2IsBf16 = bf16;
            const ArrayData a = NpyFile::fromBuffer("fuzz.npy", data, size, options);
            if (a.elementCount() <= (1u << 16)) {
                (void)a.toFloatVector();
                (void)a.converted(DType::F16);
            }
            const std::string image = NpyFile::serialize(a);
            const ArrayData again =
                NpyFile::fromBuffer("again", reinterpret_cast<const std::uint8_t*>(image.data()), image.size(), options);
            if (!again.identical(a))
                std::abort();
        } catch (const InputError&) {
        }
    }
    return 0;
}
