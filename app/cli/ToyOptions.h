#pragma once

#include "cli/ArgumentParser.h"
#include "toy/ToyModelConfig.h"
#include "toy/TrainingConfig.h"

// The toy-model options shared by `tms`, `sweep` and `phase`, so they are spelled and validated once.
class ToyOptions {
public:
    static std::vector<ArgumentParser::Option> modelOptions();
    static std::vector<ArgumentParser::Option> trainingOptions();
    static featurescope::ToyModelConfig modelConfig(const ArgumentParser& args, int defaultN, int defaultM,
                                                    double defaultDecay);
    static featurescope::TrainingConfig trainingConfig(const ArgumentParser& args, int defaultSteps);
};
