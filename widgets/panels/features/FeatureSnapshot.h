#pragma once

#include "experiments/SaeExperimentConfig.h"

#include "sae/ActivationImport.h"
#include "sae/SaeEvaluator.h"
#include "sae/SparseAutoencoder.h"

#include <Eigen/Core>

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

// One published state of an SAE training run: a copy of the autoencoder and its evaluation, made on the worker
// thread, immutable afterwards (the GUI shares it by pointer). While training, the evaluation uses a small live set;
// the final snapshot uses the full evaluation set (the same inputs as `featurescope sae`).
struct FeatureSnapshot {
    bool final = false;
    int step = 0;
    int totalSteps = 0;
    int runId = 0; // increases with every Train press
    QString sourceName;        // "synthetic", "toy", "fashion-mnist", "file"
    QString sourceDescription; // one line for the metrics strip
    QString statusMessage;     // e.g. why training stopped early
    QStringList classNames;    // label names when the evaluation set has labels
    QStringList shortClassNames; // the same, short enough for a thumbnail caption
    double trueMeanActive = 0.0;
    double stepsPerSecond = 0.0;
    featurescope::SaeExperimentConfig config;   // the settings that made this SAE (for captions and sessions)
    QString origin;            // how the SAE came to be when not trained here: "SAELens folder /path", "session"

    std::shared_ptr<const featurescope::SparseAutoencoder> sae;
    std::shared_ptr<const featurescope::SaeEvaluator> evaluator;
    Eigen::MatrixXf truth; // unit true directions (d x F), empty without ground truth

    // Per SAE feature (d_sae entries each).
    std::vector<double> densities;
    std::vector<float> maxActivations;
    std::vector<double> purities;   // -1 where undefined
    std::vector<double> coherences; // -1 where undefined
    std::vector<int> bestTrue;      // closest true feature, -1 without ground truth
    std::vector<float> bestTrueCosine;

    std::vector<float> lossHistory;
    std::vector<float> mseHistory;
    featurescope::SaeTrainingActivity activity; // fires over the final training window (health metrics; sessions)

    // Token strings of an imported file, one per row of the evaluation set (rows are the file's first rows).
    bool hasTokens() const { return config.imported && config.imported->hasTokens(); }
    const featurescope::ImportedActivations* imported() const { return config.imported.get(); }

    const featurescope::SaeDictionaryMetrics& metrics() const { return evaluator->metrics(); }
    int latentDim() const { return int(densities.size()); }
    bool hasGroundTruth() const { return truth.size() > 0; }
    bool hasImages() const { return evaluator && evaluator->evaluationSet().hasImages(); }
    bool hasLabels() const { return evaluator && evaluator->evaluationSet().hasLabels(); }
    QString labelName(int label) const
    {
        return label >= 0 && label < classNames.size() ? classNames[label] : QString::number(label);
    }
    // A representative, well-populated feature to show first: quality (true-feature cosine, or label purity) times
    // the square root of its density. -1 for an empty dictionary.
    int representativeFeature() const;
    // Two lines for figure captions: where the activations came from, and how the SAE was made.
    QString runCaption() const { return runCaption(config, this); }
    static QString runCaption(const featurescope::SaeExperimentConfig& config, const FeatureSnapshot* snapshot);

    QString shortLabelName(int label) const
    {
        return label >= 0 && label < shortClassNames.size() ? shortClassNames[label] : labelName(label);
    }
};
