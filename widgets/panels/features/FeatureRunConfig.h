#pragma once

#include "sae/SaeConfig.h"

#include <QString>

#include <memory>
#include <string>

namespace featurescope { struct ImportedActivations; }

// Everything the Feature activations panel needs to train one SAE: where the activations come from and how the SAE
// is built and trained. The seeds follow `featurescope sae` (same settings, same numbers as the command line).
struct FeatureRunConfig {
    enum class Source { Synthetic, Toy, FashionMnist, File };
    Source source = Source::Synthetic;

    // Synthetic ground truth (Sharkey et al. 2022).
    int syntheticFeatures = 128; // F
    int syntheticDimension = 64; // d
    double syntheticMeanActive = 5.0;
    // Toy model: hidden activations of a trained ReLU-output TMS model.
    int toyFeatures = 20;        // n
    int toyHidden = 5;           // m
    double toyProbability = 0.05;
    int toySteps = 3000;
    // Fashion-MNIST (any IDX image set): the 784-128-10 MLP's hidden layer on the test images.
    std::string dataDirectory;
    int mlpEpochs = 4;
    // Imported file (ActivationImport): the rows, read once off the GUI thread and shared, never copied per run.
    std::shared_ptr<const featurescope::ImportedActivations> imported;

    featurescope::SaeConfig sae;               // inputDim is filled in by inputDimension()
    featurescope::SaeTrainingConfig training;

    // Activation dimension of the chosen source (the MLP's hidden width for Fashion-MNIST).
    int inputDimension() const;
    // The SAE configuration with inputDim set.
    featurescope::SaeConfig saeConfig() const;
    // Throws featurescope::InputError with one line for the user; checks that the image folder has both splits.
    void validate() const;
    bool hasGroundTruth() const { return source == Source::Synthetic || source == Source::Toy; }
    bool hasImages() const { return source == Source::FashionMnist; }

    static QString sourceName(Source source); // "synthetic", "toy", "fashion-mnist", "file" (as in the CLI)
    static bool sourceFromName(const QString& name, Source* source);

    // Per-source defaults of the SAE settings (what the panel shows when the source changes).
    struct SaeDefaults {
        int latents;
        double l1;
        int steps;
        int batch;
        double learningRate;
        bool normalize;
    };
    static SaeDefaults defaultsFor(Source source, int trueFeatures);
    static double defaultL1(Source source, featurescope::SaeVariant variant);
};
