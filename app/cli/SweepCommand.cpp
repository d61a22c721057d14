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
    auto options = ToyOptions::modelOptions();
    for (auto& o : ToyOptions::trainingOptions())
        options.push_back(o);
    ArgumentParser args("sweep", options);
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (args.has("feature-probability"))
        throw featurescope::InputError("a sweep varies the probability: use --instances and --p-min");
    auto model = ToyOptions::modelConfig(args, 400, 30, 1.0);
    model.featureProbability = featurescope::ToyModelConfig::sweepProbabilities(
        model.features, int(args.integer("instances", 40, 1, 4096)), args.number("p-min", 0.001, 0.0, 1.0, true));
    auto training = ToyOptions::trainingConfig(args, 10000);
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
