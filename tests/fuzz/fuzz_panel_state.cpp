// libFuzzer harness: session files applied to every panel-state parser in core (the toy run, the phase diagram, the
// SAE experiment config, the trained SAE, the randomized-control results, the scale lab). Each parser is tried on every JSON object
// of every panel's settings, so the fuzzer reaches them wherever the mutated file puts them. Bad input must throw
// InputError (or Cancelled from nowhere: never), nothing else; no crash, no huge allocation.
#include "common/InputError.h"
#include "common/SettingsReader.h"
#include "experiments/ControlComparison.h"
#include "experiments/PhaseDiagramState.h"
#include "experiments/SaeExperimentConfig.h"
#include "experiments/SaeRunState.h"
#include "experiments/ScaleLabConfig.h"
#include "experiments/ToyRunState.h"
#include "session/SessionFile.h"

#include <nlohmann/json.hpp>

#include <cstdint>

using namespace featurescope;

namespace {

template <typename Parse>
void tryParse(Parse parse)
{
    try {
        parse();
    } catch (const InputError&) {
    }
}

void applyParsers(const nlohmann::json& node, const PanelState& state, int depth)
{
    if (depth > 8 || !node.is_object())
        return;
    tryParse([&] { ToyRunState::read(node, state.arrays, "fuzz"); });
    tryParse([&] { PhaseDiagramState::read(SettingsReader(node, "fuzz")); });
    tryParse([&] { controlComparisonFromJson(node, "fuzz"); });
    tryParse([&] { ScaleLabConfig::fromJson(SettingsReader(node, "fuzz")); });
    tryParse([&] {
        // Files named by the state are never read here: an imported source is refused by validate().
        SaeExperimentConfig config = SaeExperimentConfig::fromJson(
            node, [](const std::string&, const ActivationImportOptions&) { return nullptr; });
        SaeRunState::read(node, state.arrays, config);
        if (node.contains("trained"))
            SaeRunState::read(node["trained"], state.arrays, config);
    });
    for (const auto& [key, value] : node.items())
        applyParsers(value, state, depth + 1);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    try {
        const Session session = SessionFile::parse("fuzz.fss", data, size);
        for (const auto& [id, state] : session.panels)
            applyParsers(state.settings, state, 0);
    } catch (const InputError&) {
    }
    return 0;
}
