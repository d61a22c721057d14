#pragma once

#include "sae/ActivationSource.h"
#include "sae/GroundTruthRecovery.h"
#include "sae/SparseAutoencoder.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

// How often each latent fired over a window of training inputs (SaeTrainer::activity): the inputs the health
// metrics are counted over when a trainer is at hand.
struct SaeTrainingActivity {
    std::vector<std::int64_t> fires; // per latent: inputs of the window it was active on
    std::int64_t inputs = 0;         // training inputs in the window
    int steps = 0;                   // training steps in the window
    bool empty() const { return inputs <= 0; }
};

// Dictionary health (docs/ARCHITECTURE.md §5), from each latent's density ρ (fraction of inputs it is active on):
// dead ρ = 0, ultra-rare 0 < ρ < ultraRareThreshold, dense ρ > denseThreshold. Counted over the training window when
// `training` is given, otherwise over the evaluation inputs (which cannot resolve densities below 1/N).
struct SaeEvaluationOptions {
    int topK = 20;              // top-activating examples per feature (label purity and coherence use them)
    int quantiles = 10;         // quantile samples per feature
    int nearest = 5;            // nearest features by decoder cosine
    double denseThreshold = 0.01;     // a feature active on more than this fraction of inputs is "dense"
    double ultraRareThreshold = 1e-5; // an active feature below this density is "ultra-rare"
    SaeTrainingActivity training;
    std::vector<std::pair<int, int>> hierarchy; // (parent, child) true features: absorptionRate is their mean
    double histogramLow = -6.0;   // log10 density histogram: [low, 0] in bins of binWidth (lower densities go to
    double histogramBinWidth = 0.25; // the first bin; dead features are counted apart)
    bool coherenceOnImages = true;  // mean pairwise cosine of the top-k images when the set has images, else of the
                                    // activation vectors
};

// log10 feature-density histogram of a dictionary (TM shows a real cluster and an "ultralow" one).
struct SaeDensityHistogram {
    double low = -6.0;
    double binWidth = 0.25;
    std::vector<int> counts;
    int dead = 0;
    std::vector<double> edges() const; // counts.size() + 1 bin edges
    // The histogram of per-feature densities (0 = dead, counted apart); densities below 10^low go to the first bin.
    static SaeDensityHistogram of(const std::vector<double>& densities, double low = -6.0, double binWidth = 0.25);
};

// Whole-dictionary quality measures on an evaluation set (original input units).
struct SaeDictionaryMetrics {
    int evaluationCount = 0;
    double l0 = 0.0;                // mean active features per input
    double mse = 0.0;               // mean over inputs and dimensions of (x̂ − x)²
    double explainedVariance = 0.0; // 1 − Σ‖x − x̂‖² / Σ‖x − mean‖²
    double deadFraction = 0.0;      // never active over the health inputs (the training window, else evaluation)
    double ultraRareFraction = 0.0; // active, but on fewer than ultraRareThreshold of the health inputs
    double denseFraction = 0.0;     // active on more than denseThreshold of the health inputs
    double denseThreshold = 0.01;   // the thresholds used
    double ultraRareThreshold = 1e-5;
    std::int64_t healthInputs = 0;  // the inputs dead / ultra-rare / dense were counted over
    int healthSteps = 0;            // training steps of the window (0: counted on the evaluation set)
    bool healthFromTraining() const { return healthSteps > 0; }
    double silentFraction = 0.0;    // never active on the evaluation set
    SaeDensityHistogram densityHistogram;
    double mmcs = -1.0;             // mean over true features of the best cosine with a decoder column (ground truth)
    // Ground truth, SAELens's synthetic evaluation (GroundTruthRecovery): MCC of the one-to-one Hungarian matching;
    // over the matched pairs, the latents' mean precision, recall and F1 as detectors of their true features and the
    // mean shrinkage of their contributions (−1: unknown, e.g. without the true features' values).
    double mcc = -1.0;
    double precisionMean = -1.0;
    double recallMean = -1.0;
    double f1Mean = -1.0;
    double shrinkage = -1.0;
    double absorptionRate = -1.0; // mean GroundTruthRecovery::absorptionRate over the source's hierarchy (−1: none)
    double meanLabelPurity = -1.0;  // over features with at least topK active examples (labels known)
    double meanCoherence = -1.0;    // over features with at least topK active examples
    bool hasMmcs() const { return mmcs >= -0.5; }
    bool hasDetection() const { return f1Mean >= -0.5; }
    bool hasLabelPurity() const { return meanLabelPurity >= -0.5; }
    // False when arithmetic overflowed somewhere (NaN or infinite values): the numbers mean nothing then.
    bool finite() const;
    // Throws InputError "<inputs>: evaluating gave NaN or infinite metrics ..." unless finite().
    void requireFinite(const std::string& inputs) const;
};

// What the feature browser shows for one feature. Example indices refer to the evaluation set's rows.
struct SaeFeatureSummary {
    int feature = 0;
    double density = 0.0;
    float maxActivation = 0.0f;
    std::vector<int> topExamples;        // by activation, highest first
    std::vector<float> topActivations;
    std::vector<int> quantileExamples;   // evenly spaced quantiles of the active examples, lowest first
    std::vector<float> quantileActivations;
    double labelPurity = -1.0;           // 1 − normalised entropy of the top-k labels; −1 with < k examples
    double coherence = -1.0;             // mean pairwise cosine of the top-k inputs; −1 with < k examples
    std::vector<int> nearestFeatures;    // by decoder cosine, highest first
    std::vector<float> nearestCosines;
    int bestTrueFeature = -1;            // ground truth: the true feature closest to this decoder column
    float bestTrueCosine = 0.0f;
};

// Encodes an evaluation set once (in chunks) and answers dictionary and per-feature questions from the sparse codes.
class SaeEvaluator {
public:
    SaeEvaluator(const SparseAutoencoder& sae, EvaluationSet set, Eigen::MatrixXf groundTruth = {},
                 SaeEvaluationOptions options = {});

    const SaeDictionaryMetrics& metrics() const { return m_metrics; }
    const EvaluationSet& evaluationSet() const { return m_set; }
    int latentDim() const { return static_cast<int>(m_codes.size()); }

    SaeFeatureSummary feature(int j) const;
    std::vector<double> densities() const;
    std::vector<float> maxActivations() const;
    std::vector<double> labelPurities() const; // −1 where undefined
    std::vector<double> coherences() const;    // −1 where undefined
    // Activation of feature j on every evaluation input (zeros included).
    Eigen::VectorXf activations(int j) const;
    // The activation-weighted mean image of feature j (imageRows x imageCols, row-major), empty without images.
    std::vector<float> weightedMeanImage(int j) const;
    // Per true feature: the best cosine with any decoder column (MMCS is their mean). Empty without ground truth.
    const std::vector<float>& trueFeatureBestCosine() const { return m_trueBest; }
    // The one-to-one matching of true features to latents and its scores (empty without ground truth).
    const GroundTruthRecovery& recovery() const { return m_recovery; }

    // 1 − H(labels)/log(classCount); 1 for one class, −1 for no labels.
    static double labelPurity(const std::vector<int>& labels, int classCount);
    // Mean cosine over distinct pairs of columns (zero columns count as cosine 0); −1 for fewer than 2 columns.
    static double meanPairwiseCosine(const Eigen::MatrixXf& vectors);
    // Mean over truth columns of the max cosine with a column of `dictionary` (both d x *).
    static double mmcs(const Eigen::MatrixXf& truth, const Eigen::MatrixXf& dictionary,
                       std::vector<float>* bestPerTruth = nullptr);
    // Fills the health fields of `m` from the evaluation densities (N inputs) or, when options.training is given
    // and matches the latent count, from the training window.
    static void countHealth(const std::vector<double>& evaluationDensities, std::int64_t evaluationInputs,
                            const SaeEvaluationOptions& options, SaeDictionaryMetrics& m);

private:
    struct Entry {
        int example;
        float value;
    };
    std::vector<Entry> sortedEntries(int j) const;
    double featureLabelPurity(const std::vector<Entry>& sorted) const;
    double featureCoherence(const std::vector<Entry>& sorted) const;

    EvaluationSet m_set;
    Eigen::MatrixXf m_truth;
    SaeEvaluationOptions m_options;
    Eigen::MatrixXf m_unitDecoder;
    std::vector<std::vector<Entry>> m_codes; // per feature: its active (example, value) pairs
    std::vector<float> m_trueBest;
    GroundTruthRecovery m_recovery;
    SaeDictionaryMetrics m_metrics;
};

} // namespace featurescope
