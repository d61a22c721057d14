#pragma once

#include "common/TrainingStatus.h"
#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"
#include "toy/ToyModel.h"
#include "toy/TrainingConfig.h"

#include <string>
#include <vector>

namespace featurescope {

// W and b of every instance at one training step, for replay.
struct ToySnapshot {
    int step = 0;
    std::vector<ToyInstance> instances;
};

// Everything a finished (or stopped) toy-model training produced.
struct ToyTrainingResult {
    ToyModel model;
    TrainingConfig training;
    std::vector<std::vector<float>> lossHistory; // [instance][step]
    std::vector<double> finalLoss;               // per instance: mean loss of the last steps
    std::vector<ToySnapshot> snapshots;
    std::vector<int> restartChosen;              // per instance: which restart won (best of k)
    int stepsDone = 0;
    TrainingStatus status = TrainingStatus::Running;
    std::string message;                         // why training stopped early, for the user

    // Measures and geometry of each instance's current W. Empty until analyse() runs: a live GUI runs it on the
    // training thread with every update, so drawing a large model never computes them on the GUI thread.
    std::vector<FeatureMeasures> measures;
    std::vector<std::vector<GeometryComponent>> geometry;
    void analyse();
    bool isAnalysed() const { return int(measures.size()) == model.instanceCount(); }
};

} // namespace featurescope
