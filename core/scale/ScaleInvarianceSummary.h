#pragma once

#include "scale/ScaleInvarianceLab.h"
#include "scale/ScaleInvariancePoint.h"

#include <string>
#include <vector>

namespace featurescope {

// What a scale-invariance sweep shows, in numbers and in a short written reading generated from them (for the
// GUI's caption, the CLI and reports). Fields that do not apply to the lab's kind are NaN (or -1).
struct ScaleInvarianceSummary {
    ScaleInvarianceLab::Kind kind = ScaleInvarianceLab::Kind::Matrix;
    bool biasFree = true;
    int points = 0;
    int samples = 0;
    double minScale = ScaleInvariancePoint::kNaN;
    double maxScale = ScaleInvariancePoint::kNaN;

    double featuresPerDimensionAtOne = 0.0;
    double featuresPerDimensionSlope = ScaleInvariancePoint::kNaN; // least squares, d log(fpd) / d log(c)
    double maxRelativeC2Error = 0.0;       // max over c of |fpd(c) / (c² fpd(1)) - 1|
    double meanDimensionalityAtOne = 0.0;
    double maxDimensionalityChange = 0.0;  // max over c and i of |D_i(c) - D_i(1)|

    // Classifier
    int maxPredictionsChanged = -1;
    int maxOrderingsChanged = -1;
    double accuracyAtOne = ScaleInvariancePoint::kNaN;
    double maxAccuracyChange = ScaleInvariancePoint::kNaN;
    double meanMaxProbabilityAtMin = ScaleInvariancePoint::kNaN; // at the smallest c of the sweep
    double meanMaxProbabilityAtOne = ScaleInvariancePoint::kNaN;
    double meanMaxProbabilityAtMax = ScaleInvariancePoint::kNaN; // at the largest c
    double maxKl = ScaleInvariancePoint::kNaN;

    // Toy models
    double lossAtOne = ScaleInvariancePoint::kNaN;
    double lossAtMin = ScaleInvariancePoint::kNaN;
    double lossAtMax = ScaleInvariancePoint::kNaN;
    double bestScale = ScaleInvariancePoint::kNaN; // the sweep point with the lowest loss
    double bestLoss = ScaleInvariancePoint::kNaN;
    bool lossLargerAwayFromOne = false;            // loss(c) > loss(1) at every sweep point c != 1
    double maxRelativeLossChange = ScaleInvariancePoint::kNaN; // max |loss(c) / loss(1) - 1|
    double encoderOnlyBestScale = ScaleInvariancePoint::kNaN;  // untied: best c when only the encoder scales

    std::string reading;
};

// The reference (c = 1) is the lab's own; the points are any sweep (sorted by scale or not).
ScaleInvarianceSummary summariseScaleInvariance(const ScaleInvarianceLab& lab,
                                                const std::vector<ScaleInvariancePoint>& points);

// One sentence (with a leading space) on a tied toy model's loss at c = 0.5, 1 and 2 (there the scale is not free:
// docs/ARCHITECTURE.md §4), to follow the reading of a model whose scale is free. `tiedLab` must be a TiedToy lab
// (else the result is empty).
std::string tiedToyContrast(const ScaleInvarianceLab& tiedLab);

} // namespace featurescope
