#include "experiments/PhaseDiagramState.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"

namespace featurescope {

nlohmann::json PhaseDiagramState::write(const PhaseDiagramResult& result)
{
    std::vector<int> regions;
    for (auto region : result.empirical)
        regions.push_back(int(region));
    nlohmann::json j{{"features", result.config.features},
                     {"relative_importance", result.config.relativeImportance},
                     {"density", result.config.density},
                     {"empirical", regions},
                     {"extra_norm", result.extraNorm}};
    if (!result.certainty.empty()) {
        j["certainty"] = result.certainty;
        j["runs_per_cell"] = result.runsPerCell;
    }
    return j;
}

PhaseDiagramResult PhaseDiagramState::read(const SettingsReader& stored)
{
    PhaseDiagramConfig config;
    config.features = int(stored.integer("features", 2, 3));
    config.relativeImportance = stored.numbers("relative_importance", 4096, 1e-9, 1e3);
    config.density = stored.numbers("density", 4096, 1e-9, 1.0);
    std::vector<PhaseRegion> regions;
    for (std::int64_t region : stored.integers("empirical", 4096, 0, 2))
        regions.push_back(PhaseRegion(region));
    std::vector<float> norms;
    for (double norm : stored.numbers("extra_norm", 4096, 0.0, 1e6))
        norms.push_back(float(norm));
    // Sessions from before the certainty was measured have none.
    std::vector<float> certainty;
    int runs = 0;
    if (stored.has("certainty")) {
        for (double c : stored.numbers("certainty", 4096, 1e-6, 1.0))
            certainty.push_back(float(c));
        runs = int(stored.integer("runs_per_cell", 1, 1000));
    }
    try {
        return PhaseDiagram::assemble(config, std::move(regions), std::move(norms), std::move(certainty), runs);
    } catch (const InputError& error) {
        throw InputError(stored.where() + ": " + error.what());
    }
}

} // namespace featurescope
