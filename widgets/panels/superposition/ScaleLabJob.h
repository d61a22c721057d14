#pragma once

#include "experiments/ScaleLabConfig.h"
#include "scale/ScaleInvarianceLab.h"
#include "scale/ScaleInvariancePoint.h"
#include "scale/ScaleInvarianceSummary.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace featurescope {
class ProgressReporter;
}

// The background half of the scale-invariance tab: which model to build, and what building and sweeping it gave.
using ScaleLabModel = featurescope::ScaleLabConfig::Model;

struct ScaleLabRequest {
    ScaleLabModel model = ScaleLabModel::TiedToy;
    QString dataDirectory; // Fashion-MNIST IDX files
    QString path;          // safetensors file (File)
    QString tensor;
    bool transpose = false;
    std::uint64_t seed = 0;
};

struct ScaleLabPrepared {
    std::shared_ptr<const featurescope::ScaleInvarianceLab> lab;
    std::vector<featurescope::ScaleInvariancePoint> points;
    featurescope::ScaleInvarianceSummary summary;
    QString description;
    QString contrast; // the tied toy model's loss beside a model whose scale is free
    QString error;
    bool cancelled = false;
};

namespace scalelab {

constexpr double kMinScale = 0.1;
constexpr double kMaxScale = 10.0;

// Trains or reads the requested model and sweeps c from kMinScale to kMaxScale. Runs on a worker thread; errors and
// cancellation come back in the result, never as exceptions.
ScaleLabPrepared prepare(const ScaleLabRequest& request, featurescope::ProgressReporter* progress);

// Floating-point work of one evaluate(): decides whether the slider's point is computed inline or in the background.
double evaluationCost(const featurescope::ScaleInvarianceLab& lab);

} // namespace scalelab
