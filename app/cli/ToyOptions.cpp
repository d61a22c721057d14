#include "cli/ToyOptions.h"

#include "common/InputError.h"

#include <thread>

using featurescope::InputError;
using featurescope::ToyModelConfig;
using featurescope::TrainingConfig;

std::vector<ArgumentParser::Option> ToyOptions::modelOptions()
{
    return {{"n", true, "number of features (default 5)"},
            {"m", true, "hidden dimensions (default 2)"},
            {"model", true, "linear, relu-output (default), relu-hidden or untied-abs"},
            {"feature-probability", true, "probability that a feature is non-zero, 1 - S (default 0.05)"},
            {"instances", true, "number of instances of a sparsity sweep"},
            {"p-min", true, "smallest feature probability of the sweep (default 0.05 = 1/20)"},
            {"importance-decay", true, "importance I_i = r^i (default 1)"}};
}

std::vector<ArgumentParser::Option> ToyOptions::trainingOptions()
{
    return {{"steps", true, "training steps (default 10000)"},
            {"batch", true, "batch size (default 1024)"},
            {"lr", true, "Adam learning rate (default 1e-3)"},
            {"adamw", false, "AdamW with weight decay 0.01"},
            {"weight-decay", true, "AdamW weight decay (default 0.01)"},
            {"seed", true, "random seed (default 0)"},
            {"restarts", true, "best of K restarts per instance (default 1)"},
            {"threads", true, "worker threads (default: all cores)"}};
}

ToyModelConfig ToyOptions::modelConfig(const ArgumentParser& args, int defaultN, int defaultM, double defaultDecay)
{
    ToyModelConfig config;
    config.features = int(args.integer("n", defaultN, 1, 100000));
    config.hidden = int(args.integer("m", defaultM, 1, 100000));
    config.kind = featurescope::toyModelKindFromName(args.text("model", "relu-output"));
    config.importanceDecay = args.number("importance-decay", defaultDecay, 0.0, 1.0, true);
    if (args.has("instances") && args.has("feature-probability"))
        throw InputError("give either --feature-probability or --instances with --p-min, not both");
    if (args.has("instances") || args.has("p-min")) {
        const int instances = int(args.integer("instances", 8, 1, 4096));
        const double pMin = args.number("p-min", 0.05, 0.0, 1.0, true);
        config.featureProbability = ToyModelConfig::sweepProbabilities(config.features, instances, pMin);
    } else {
        const double p = args.number("feature-probability", 0.05, 0.0, 1.0, true);
        config.featureProbability = ToyModelConfig::sharedProbability(config.features, 1, p);
    }
    config.validate();
    return config;
}

TrainingConfig ToyOptions::trainingConfig(const ArgumentParser& args, int defaultSteps)
{
    TrainingConfig training;
    training.steps = int(args.integer("steps", defaultSteps, 1, 100000000));
    training.batch = int(args.integer("batch", 1024, 1, 1 << 20));
    training.learningRate = args.number("lr", 1e-3, 0.0, 1e3, true);
    training.adamW = args.flag("adamw") || args.has("weight-decay");
    training.weightDecay = args.number("weight-decay", 0.01, 0.0, 1e3);
    training.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, (1LL << 62)));
    training.restarts = int(args.integer("restarts", 1, 1, 1000));
    training.threads = int(args.integer("threads", std::max(1u, std::thread::hardware_concurrency()), 1, 256));
    return training;
}
