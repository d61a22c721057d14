#include "cli/SweepCommand.h"

#include "cli/ToyOptions.h"
#include "common/InputError.h"

#include <unistd.h>
#include "toy/SparsitySweep.h"
#include "toy/ToyTrainer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

int SweepCommand::run(const std::vector<std::string>& arguments)
{
    ToyOptions::Defaults defaults;
    defaults.features = 400;
    defaults.hidden = 30;
    defaults.alwaysSweep = true;
    defaults.instances = 40;
    defaults.pMin = 0.001;
    auto options = ToyOptions::modelOptions(defaults);
    for (auto& o : ToyOptions::trainingOptions(defaults))
        options.push_back(o);
    ArgumentParser args("sweep", options);
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    auto model = ToyOptions::modelConfig(args, defaults);
    auto training = ToyOptions::trainingConfig(args, defaults);
    training.snapshotCount = 2;
    training.validate(model.features, model.hidden, model.instances());

    const auto start = std::chrono::steady_clock::now();
    featurescope::ProgressReporter progress([](double f, const std::string&) {
        std::fprintf(stderr, "\rsweep: %3.0f %%", 100.0 * f);
    });
    const auto result = featurescope::ToyTrainer::train(model, training, isatty(2) ? &progress : nullptr);
    if (isatty(2))
        std::fprintf(stderr, "\n");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto points = featurescope::SparsitySweep::summarise(result.model);
    if (args.flag("json")) {
        nlohmann::json config = model;
        config["training"] = training;
        std::cout << nlohmann::json{{"config", config},
                                    {"seconds", seconds},
                                    {"points", featurescope::SparsitySweep::toJson(points)}}
                         .dump(2)
                  << "\n";
    } else {
        std::printf("sweep of n=%d m=%d over %d sparsities, %d steps, %.1f s\n", model.features, model.hidden,
                    model.instances(), result.stepsDone, seconds);
        std::printf("  %-12s %-12s %s\n", "1/(1-S)", "D*", "learned features");
        for (const auto& p : points)
            std::printf("  %-12.4g %-12.4f %zu\n", p.inverseDensity, p.dimensionsPerFeature,
                        p.featureDimensionality.size());
    }
    return 0;
}
