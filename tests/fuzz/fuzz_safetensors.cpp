// libFuzzer harness: SafetensorsFile on arbitrary bytes. Bad input must throw InputError, nothing else; a file that
// parses must convert, and serialising what was read must parse back to identical tensors (an oracle).
#include "common/InputError.h"
#include "io/SafetensorsFile.h"

#include <cstdint>
#include <cstdlib>

using namespace featurescope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const SafetensorsFile file = SafetensorsFile::fromBuffer("fuzz.safetensors", data, size);
        std::vector<SafetensorsFile::NamedArray> tensors;
        for (const auto& info : file.tensors()) {
            const ArrayData a = file.tensor(info.name);
            if (a.elementCount() <= (1u << 16))
                (void)a.toFloatVector();
            tensors.push_back({info.name, a});
        }
        const std::string image = SafetensorsFile::serialize(tensors, file.metadata());
        const SafetensorsFile again = SafetensorsFile::fromBuffer(
            "again", reinterpret_cast<const std::uint8_t*>(image.data()), image.size());
        if (again.metadata() != file.metadata() || again.tensors().size() != tensors.size())
            std::abort();
        for (const auto& t : tensors)
            if (!again.tensor(t.name).identical(t.array))
                std::abort();
    } catch (const InputError&) {
    }
    return 0;
}
