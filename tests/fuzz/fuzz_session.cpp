// libFuzzer harness: SessionFile on arbitrary bytes (a safetensors container with the session JSON in its metadata,
// or plain JSON). Bad input must throw InputError, nothing else; a session that parses must serialise and parse back
// to the same settings and arrays (an oracle).
#include "common/InputError.h"
#include "session/SessionFile.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>

using namespace featurescope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const Session session = SessionFile::parse("fuzz.fss", data, size);
        const std::string image = SessionFile::serialize(session);
        const Session again =
            SessionFile::parse("again", reinterpret_cast<const std::uint8_t*>(image.data()), image.size());
        if (again.panels.size() != session.panels.size() || again.theme != session.theme ||
            again.currentPanel != session.currentPanel || again.appVersion != session.appVersion)
            std::abort();
        for (const auto& [id, state] : session.panels) {
            const PanelState& other = again.panels.at(id);
            if (other.settings != state.settings || other.arrays.size() != state.arrays.size())
                std::abort();
            for (const auto& [name, array] : state.arrays)
                if (!other.arrays.at(name).identical(array))
                    std::abort();
        }
    } catch (const InputError&) {
    }
    return 0;
}
