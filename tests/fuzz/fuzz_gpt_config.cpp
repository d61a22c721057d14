// libFuzzer harness: a language model's config.json on arbitrary bytes. Bad input must throw InputError, nothing
// else; a config that parses must be within the bounds and parse back from its own JSON to the same shape.
#include "common/InputError.h"
#include "lm/GptConfig.h"

#include <cstdint>
#include <cstdlib>

using namespace featurescope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const GptConfig c = GptConfig::parse(std::string(reinterpret_cast<const char*>(data), size), "config.json");
        if (c.width % c.heads != 0 || c.parameterCount() > GptConfig::kMaxParameters)
            std::abort();
        const GptConfig back = GptConfig::parse(c.toJson().dump(), "again");
        if (back.layers != c.layers || back.width != c.width || back.heads != c.heads || back.inner != c.inner ||
            back.vocabSize != c.vocabSize || back.positions != c.positions || back.activation != c.activation)
            std::abort();
    } catch (const InputError&) {
    }
    return 0;
}
