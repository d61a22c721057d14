#pragma once

#include "sae/ActivationSource.h"
#include "sae/SparseAutoencoder.h"

#include <Eigen/Core>

#include <string>
#include <vector>

namespace featurescope {

struct SaeEvaluationOptions {
    int topK = 20;              // top-activating examples per feature (label purity and coherence use them)
    int quantiles = 10;         // quantile samples per feature
    int nearest = 5;            // nearest features by decoder cosine
    double denseThreshold = 0.01; // a feature active on more than this fraction of inputs is "dense"
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
    double deadFraction = 0.0;      // never active on the evaluation set
    double denseFraction = 0.0;     // active on more than denseThreshold of the inputs
    SaeDensityHistogram densityHistogram;
    double mmcs = -1.0;             // mean over true features of the best cosine with a decoder column (ground truth)
    double meanLabelPurity = -1.0;  // over features with at least topK active examples (labels known)
    double meanCoherence = -1.0;    // over features with at least topK active examples
    bool hasMmcs() const { return mmcs >= -0.5; }
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

    // 1 − H(labels)/log(classCount); 1 for one class, −1 for no labels.
    static double labelPurity(const std::vector<int>& labels, int classCount);
    // Mean cosine over distinct pairs of columns (zero columns count as cosine 0); −1 for fewer than 2 columns.
    static double meanPairwiseCosine(const Eigen::MatrixXf& vectors);
    // Mean over truth columns of the max cosine with a column of `dictionary` (both d x *).
    static double mmcs(const Eigen::MatrixXf& truth, const Eigen::MatrixXf& dictionary,
                       std::vector<float>* bestPerTruth = nullptr);

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
    SaeDictionaryMetrics m_metrics;
};

} // namespace featurescope
