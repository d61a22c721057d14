#pragma once

#include "cli/ArgumentParser.h"
#include "toy/ToyModelConfig.h"
#include "toy/TrainingConfig.h"

// The toy-model options shared by `tms`, `sweep` and `phase`, so they are spelled and validated once. Each command
// passes its own defaults, which both the parser and the --help text read, so the help never states another default.
class ToyOptions {
public:
    struct Defaults {
        int features = 5;
        int hidden = 2;
        double importanceDecay = 1.0;
        bool alwaysSweep = false; // `sweep`: no --feature-probability, the sweep options always apply
        double featureProbability = 0.05;
        int instances = 8;
        double pMin = 0.05;
        // The rest of the training settings start from core's (the reference notebook's) defaults.
        featurescope::TrainingConfig training;
    };

    static std::vector<ArgumentParser::Option> modelOptions(const Defaults& defaults);
    static std::vector<ArgumentParser::Option> trainingOptions(const Defaults& defaults);
    static featurescope::ToyModelConfig modelConfig(const ArgumentParser& args, const Defaults& defaults);
    static featurescope::TrainingConfig trainingConfig(const ArgumentParser& args, const Defaults& defaults);
};
