#pragma once

#include "math/Rng.h"
#include "math/UniformStream.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace featurescope {

// A fixed set of inputs to evaluate an SAE on, with what is known about each row.
struct EvaluationSet {
    Eigen::MatrixXf activations;      // d x N, one input per column
    std::vector<int> labels;          // N class labels, or empty when unknown
    int classCount = 0;               // number of label classes (0 when unknown)
    std::vector<std::uint8_t> images; // N images of imageRows x imageCols bytes (row-major), or empty
    int imageRows = 0;
    int imageCols = 0;
    // F x N when the source knows its features' values: the norm of each true feature's contribution to each input
    // (0 where inactive), rows aligned with the source's groundTruth() columns; empty otherwise.
    Eigen::MatrixXf trueActivations;

    int size() const { return static_cast<int>(activations.cols()); }
    bool hasLabels() const { return !labels.empty(); }
    bool hasImages() const { return !images.empty(); }
    const std::uint8_t* image(int row) const { return images.data() + std::size_t(row) * imageRows * imageCols; }
};

// Where an SAE's training inputs come from: an infinite generator (synthetic, toy model) or a finite set of
// recorded activations (an MLP layer on a data set). Sources are immutable once built; all randomness comes from the
// caller's Random, so one source can feed several trainers and the same seed gives the same batches.
class ActivationSource {
public:
    struct Random {
        explicit Random(std::uint64_t seed) : rng(Rng::deriveSeed(seed, 1)), uniform(Rng::deriveSeed(seed, 2)) {}
        Rng rng;
        UniformStream uniform;
    };

    virtual ~ActivationSource() = default;

    virtual std::string name() const = 0;
    virtual int dimension() const = 0;
    // Fills X (resized to dimension() x batch) with a training batch.
    virtual void sampleBatch(Eigen::MatrixXf& X, int batch, Random& random) const = 0;
    // The inputs to evaluate on: every row of a finite source (at most `maxCount`), or `maxCount` fresh samples.
    virtual EvaluationSet evaluationSet(int maxCount, std::uint64_t seed) const = 0;
    // Unit-norm true feature directions (d x F) when known, else an empty matrix.
    virtual Eigen::MatrixXf groundTruth() const { return {}; }
    bool hasGroundTruth() const { return groundTruth().size() > 0; }
    // Mean number of active true features per input when known, else 0.
    virtual double meanActiveFeatures() const { return 0.0; }
    // The largest probability with which a true feature is active on an input when known, else 0: a latent firing
    // more often than the densest true feature is "dense relative to the data".
    virtual double densestTrueFeatureRate() const { return 0.0; }
    // (parent, child) pairs of true features where the child is only ever active with its parent (feature
    // hierarchies, where SAEs show absorption); empty when there are none or they are unknown.
    virtual std::vector<std::pair<int, int>> hierarchy() const { return {}; }
};

} // namespace featurescope
