#include "cli/PhaseCommand.h"

#include "cli/ToyOptions.h"
#include "toy/PhaseDiagram.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <string>

int PhaseCommand::run(const std::vector<std::string>& arguments)
{
    ToyOptions::Defaults defaults;
    defaults.training.steps = 4000;
    defaults.training.restarts = 4; // independent runs per cell: the best is shown, the rest measure its certainty
    // The help states these defaults from the same constants the parser falls back to.
    constexpr int kDefaultFeatures = 3, kDefaultGrid = 12;
    auto options = ToyOptions::trainingOptions(defaults);
    options.push_back({"n", true, "2 (m=1) or 3 (m=2) (default " + std::to_string(kDefaultFeatures) + ")"});
    options.push_back({"grid", true, "cells per axis (default " + std::to_string(kDefaultGrid) + ")"});
    ArgumentParser args("phase", options);
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    const int n = int(args.integer("n", kDefaultFeatures, 2, 3));
    const auto config = featurescope::PhaseDiagramConfig::standard(n, int(args.integer("grid", kDefaultGrid, 2, 64)));
    auto training = ToyOptions::trainingConfig(args, defaults);
    training.snapshotCount = 2;
    const auto result = featurescope::PhaseDiagram::compute(config, training);
    if (args.flag("json")) {
        std::cout << featurescope::PhaseDiagram::toJson(result).dump(2) << "\n";
        return 0;
    }
    std::printf("phase diagram n=%d m=%d: rows = density 1-S (top 1, bottom 0.01), columns = relative importance "
                "0.1..10\n  . not learned   D dedicated   S superposition   (empirical | analytic)\n",
                n, n - 1);
    const std::size_t cols = config.relativeImportance.size();
    for (std::size_t y = 0; y < config.density.size(); ++y) {
        std::printf("  %7.3f  ", config.density[y]);
        for (int pass = 0; pass < 2; ++pass) {
            for (std::size_t x = 0; x < cols; ++x) {
                const auto r = (pass == 0 ? result.empirical : result.analytic)[y * cols + x];
                std::printf("%c", r == featurescope::PhaseRegion::NotLearned ? '.'
                                  : r == featurescope::PhaseRegion::Dedicated ? 'D'
                                                                              : 'S');
            }
            std::printf(pass == 0 ? "   |   " : "\n");
        }
    }
    std::printf("  agreement with the analytic regions: %.0f %%\n", 100.0 * result.agreement());
    std::printf("  runs per cell that agree with the one shown (best of %d): %.0f %% on average\n", result.runsPerCell,
                100.0 * result.meanCertainty());
    return 0;
}
