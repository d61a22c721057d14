#pragma once

#include "experiments/SaeExperimentConfig.h"
#include "mlp/ImageDataset.h"
#include "mlp/MlpClassifier.h"
#include "sae/ActivationSource.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// The activations an SAE experiment trains on, built from its config, with what a view needs to label them.
struct SaeSource {
    std::shared_ptr<const ActivationSource> source;
    std::string description;                  // one line for the user
    std::vector<std::string> classNames;      // label names (Fashion-MNIST classes), or empty
    std::vector<std::string> shortClassNames; // the same, short enough for a table column
    nlohmann::json facts = nlohmann::json::object(); // what building it measured (toy loss, MLP accuracy, ...)
};

// Builds the activation source of an SAE experiment: draws the synthetic directions, trains the toy model or the
// MLP first (reporting through the given stage), or wraps an imported file. The trained MLP is kept between builds
// with the same data folder, epochs and seed, so a control after a run does not train it again. Not thread-safe: one
// job at a time.
class SaeSourceFactory {
public:
    struct TrainedMlp {
        ImageDataset test;
        MlpClassifier model;
        double accuracy = 0.0;
        double seconds = 0.0;
        std::vector<std::string> classNames;
        std::vector<std::string> shortClassNames;
    };

    // Throws Cancelled when `progress` is cancelled while a model trains, InputError on a bad config or a model
    // that diverged.
    SaeSource build(const SaeExperimentConfig& config, const ProgressReporter& progress);
    std::shared_ptr<const TrainedMlp> trainedMlp(const SaeExperimentConfig& config, const ProgressReporter& progress);

    // What part of a run's progress building the source takes (the rest is the SAE).
    static double buildShare(SaeExperimentConfig::Source source);

private:
    std::string m_mlpKey;
    std::shared_ptr<const TrainedMlp> m_mlp;
};

} // namespace featurescope
