#pragma once

#include "toy/ToyModelConfig.h"
#include "toy/TrainingConfig.h"

#include <string>
#include <vector>

namespace featurescope {

// A named starting point from "Toy Models of Superposition": the parameters of one of the paper's experiments. The
// panel's preset list, the benchmarks and the tests all read this one table.
struct ToyPreset {
    std::string id;          // stable name for the command line and the benchmarks ("intro", "sticky", ...)
    std::string name;        // what the panel lists
    std::string description; // one or two sentences for the user
    int features = 5;
    int hidden = 2;
    ToyModelKind kind = ToyModelKind::ReluOutput;
    bool sweep = true;           // instances over sparsities (else one shared probability)
    int instances = 8;
    double probabilityMin = 0.05;
    double probability = 0.05;   // used when !sweep
    double importanceDecay = 0.9;
    int steps = 10000;
    double learningRate = 1e-3;

    ToyModelConfig modelConfig() const;
    TrainingConfig trainingConfig() const; // the preset's steps and learning rate, other settings at their defaults

    static const std::vector<ToyPreset>& all(); // the first is the default session
    static const ToyPreset& byId(const std::string& id); // throws InputError naming the known ids
};

} // namespace featurescope
