// libFuzzer harness: SAELens cfg.json parsing (both layouts) on arbitrary bytes. Bad input must throw InputError,
// nothing else; a config that parses, written in the v6 layout, must parse back to the same forward pass.
#include "common/InputError.h"
#include "sae/SaeLensConfig.h"

#include <cstdint>
#include <cstdlib>

using namespace featurescope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const SaeLensConfig c = SaeLensConfig::parse(std::string(reinterpret_cast<const char*>(data), size), "cfg.json");
        if (c.tanhRelu)
            return 0; // not expressible in the v6 layout
        const SaeLensConfig back = SaeLensConfig::parse(c.toJson().dump(), "again");
        if (back.architecture != c.architecture || back.dIn != c.dIn || back.dSae != c.dSae || back.k != c.k ||
            back.applyBDecToInput != c.applyBDecToInput || back.normalization != c.normalization ||
            back.rescaleActsByDecoderNorm != c.rescaleActsByDecoderNorm || back.preV6Layout)
            std::abort();
    } catch (const InputError&) {
    }
    return 0;
}
