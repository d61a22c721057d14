#include "cli/ToyOptions.h"

#include "common/InputError.h"

#include <cstdio>
#include <string>
#include <thread>

using featurescope::InputError;
using featurescope::ToyModelConfig;
using featurescope::TrainingConfig;

namespace {
// 0.05, 1e-03 -> "0.001": the way a user would type the default.
std::string shortNumber(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}
} // namespace

std::vector<ArgumentParser::Option> ToyOptions::modelOptions(const Defaults& d)
{
    std::vector<ArgumentParser::Option> options{
        {"n", true, "number of features (default " + std::to_string(d.features) + ")"},
        {"m", true, "hidden dimensions (default " + std::to_string(d.hidden) + ")"},
        {"model", true,
         "linear, relu-output, relu-hidden or untied-abs (default " +
             featurescope::toyModelKindName(ToyModelConfig{}.kind) + ")"}};
    if (!d.alwaysSweep)
        options.push_back({"feature-probability", true,
                           "probability that a feature is non-zero, 1 - S (default " +
                               shortNumber(d.featureProbability) + ")"});
    options.push_back({"instances", true, std::string(d.alwaysSweep ? "" : "sweep instead: ") +
                                              "number of instances, one sparsity each (default " +
                                              std::to_string(d.instances) + ")"});
    options.push_back({"p-min", true, "smallest feature probability of the sweep (default " + shortNumber(d.pMin) + ")"});
    options.push_back({"importance-decay", true, "importance I_i = r^i (default " + shortNumber(d.importanceDecay) + ")"});
    return options;
}

std::vector<ArgumentParser::Option> ToyOptions::trainingOptions(const Defaults& d)
{
    const TrainingConfig& t = d.training;
    return {{"steps", true, "training steps (default " + std::to_string(t.steps) + ")"},
            {"batch", true, "batch size (default " + std::to_string(t.batch) + ")"},
            {"lr", true, "Adam learning rate (default " + shortNumber(t.learningRate) + ")"},
            {"adamw", false, "AdamW with weight decay " + shortNumber(t.weightDecay)},
            {"weight-decay", true, "AdamW weight decay, implies --adamw (default " + shortNumber(t.weightDecay) + ")"},
            {"seed", true, "random seed (default " + std::to_string(t.seed) + ")"},
            {"restarts", true, "best of K restarts per instance (default " + std::to_string(t.restarts) + ")"},
            {"threads", true, "worker threads (default: all cores)"}};
}

ToyModelConfig ToyOptions::modelConfig(const ArgumentParser& args, const Defaults& d)
{
    ToyModelConfig config;
    config.features = int(args.integer("n", d.features, 1, 100000));
    config.hidden = int(args.integer("m", d.hidden, 1, 100000));
    config.kind = featurescope::toyModelKindFromName(args.text("model", featurescope::toyModelKindName(config.kind)));
    config.importanceDecay = args.number("importance-decay", d.importanceDecay, 0.0, 1.0, true);
    if (args.has("instances") && args.has("feature-probability"))
        throw InputError("give either --feature-probability or --instances with --p-min, not both");
    if (d.alwaysSweep || args.has("instances") || args.has("p-min")) {
        const int instances = int(args.integer("instances", d.instances, 1, 4096));
        const double pMin = args.number("p-min", d.pMin, 0.0, 1.0, true);
        config.featureProbability = ToyModelConfig::sweepProbabilities(config.features, instances, pMin);
    } else {
        const double p = args.number("feature-probability", d.featureProbability, 0.0, 1.0, true);
        config.featureProbability = ToyModelConfig::sharedProbability(config.features, 1, p);
    }
    config.validate();
    return config;
}

TrainingConfig ToyOptions::trainingConfig(const ArgumentParser& args, const Defaults& d)
{
    TrainingConfig training = d.training;
    training.steps = int(args.integer("steps", training.steps, 1, 100000000));
    training.batch = int(args.integer("batch", training.batch, 1, 1 << 20));
    training.learningRate = args.number("lr", training.learningRate, 0.0, 1e3, true);
    training.adamW = args.flag("adamw") || args.has("weight-decay");
    training.weightDecay = args.number("weight-decay", training.weightDecay, 0.0, 1e3);
    training.seed = static_cast<std::uint64_t>(args.integer("seed", static_cast<long long>(training.seed), 0, (1LL << 62)));
    training.restarts = int(args.integer("restarts", training.restarts, 1, 1000));
    training.threads = int(args.integer("threads", std::max(1u, std::thread::hardware_concurrency()), 1, 256));
    return training;
}
