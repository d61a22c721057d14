#pragma once

#include "sae/SyntheticActivationSource.h"
#include "sae/ActivationImport.h"
#include "sae/SaeConfig.h"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <string>

namespace featurescope {

// One SAE experiment: where the activations come from and how the SAE is built, trained and evaluated. The Feature
// activations panel and `featurescope sae` both fill one of these and hand it to SaeExperiment, so one seed gives
// the same numbers in both.
struct SaeExperimentConfig {
    // AbsorptionToy: the hierarchical toy of Chanin et al. 2024 (AbsorptionToySource), a command-line source.
    enum class Source { Synthetic, Toy, FashionMnist, File, AbsorptionToy };
    Source source = Source::Synthetic;

    // Synthetic ground truth (Sharkey et al. 2022).
    int syntheticFeatures = 128; // F
    int syntheticDimension = 64; // d
    double syntheticMeanActive = 5.0;
    SyntheticStructure syntheticStructure; // Zipfian firing, parent/child hierarchies
    // Toy model: hidden activations of a trained ReLU-output toy model (p shared by all features).
    int toyFeatures = 20;        // n
    int toyHidden = 5;           // m
    double toyProbability = 0.05;
    int toySteps = 3000;
    // Fashion-MNIST (any IDX image set): the 784-128-10 MLP's hidden layer on the test images.
    std::string dataDirectory;
    int mlpEpochs = 4;
    bool randomized = false; // the MLP with each weight matrix's entries shuffled (the Towards Monosemanticity control)
    // Imported file: the rows, read once (off the GUI thread) and shared, never copied per run; the request that
    // reads them again is kept for sessions.
    std::shared_ptr<const ImportedActivations> imported;
    ActivationImportOptions importOptions;

    SaeConfig sae; // inputDim is set by saeConfig()
    SaeTrainingConfig training;
    // Dictionary health (docs/ARCHITECTURE.md §5): a latent firing on more than `denseThreshold` of the inputs is
    // dense (0: the densest true feature's rate, plus three standard errors of a rate over the health inputs, when the
    // source knows it, else kDefaultDenseThreshold); an active
    // latent below `ultraRareThreshold` is ultra-rare.
    double denseThreshold = 0.0;
    double ultraRareThreshold = 1e-5;
    static constexpr double kDefaultDenseThreshold = 0.01;
    // Inputs of the final evaluation (a file: its first rows); 0 means every row.
    int evaluationInputs = kFinalInputs;
    // Checkpoints (SaeCheckpoint; not part of a session): every `checkpointEvery` steps into
    // checkpointDirectory/step_<N>, and a checkpoint (or a checkpoint directory: its latest) to continue from.
    int checkpointEvery = 0;
    std::string checkpointDirectory;
    std::string resumeFrom;
    // What identifies the run a checkpoint belongs to: the source and every setting that changes the numbers
    // (not the thread count, the evaluation or the health thresholds).
    nlohmann::json checkpointIdentity() const;

    static constexpr int kLiveInputs = 2048;      // the live metrics while training
    static constexpr int kFinalInputs = 8192;     // the final metrics of a generated source
    static constexpr int kFileInputs = 65536;     // the final metrics of a file: enough rows for top examples
    static int defaultEvaluationInputs(Source source) { return source == Source::File ? kFileInputs : kFinalInputs; }

    int inputDimension() const;
    SaeConfig saeConfig() const;
    // Throws InputError with one line for the user (checks that an image folder has both splits).
    void validate() const;
    bool hasGroundTruth() const
    {
        return source == Source::Synthetic || source == Source::Toy || source == Source::AbsorptionToy;
    }
    bool hasImages() const { return source == Source::FashionMnist; }

    static std::string sourceName(Source source); // "synthetic", "toy", "fashion-mnist", "file"
    static bool sourceFromName(const std::string& name, Source* source);

    // The defaults of each source, the same in the panel and on the command line.
    struct Defaults {
        int latents;
        double l1;
        int steps;
        int batch;
        double learningRate;
        bool normalize;
    };
    static Defaults defaultsFor(Source source, int trueFeatures);
    // Each recipe's own λ (docs/ARCHITECTURE.md §5): tm2023 the source's value above; 2024 k2024Lambda/d_in, i.e.
    // λ = 2 for a squared error summed over dimensions (Anthropic's 5 shrinks the codes too much to reach explained
    // variance 0.8 on the synthetic source); topk 0 (no penalty). `inputDim` 0 takes the source's default dimension
    // (synthetic 64, toy 5, fashion-mnist and file 128).
    static double defaultL1(Source source, SaeVariant variant, int inputDim = 0,
                            SaeJumpSparsity sparsity = SaeJumpSparsity::Step);
    static constexpr double k2024Lambda = 2.0;
    // JumpReLU: λ = kJumpReluL0 / d_in, SAELens's l0_coefficient for a summed squared error.
    static constexpr double kJumpReluL0 = 1.0;
    // JumpReLU's quadratic loss λ (L0/T − 1)²: λ = kJumpReluQuadratic / d_in. Its pull on θ near the target is
    // 2λ(L0/T − 1)/T per unit of L0 against the step loss's λ: 16/d_in matches the step default's pull at L0 about
    // 1.16 T, so L0 settles near T (docs/SAE_RECIPES.md).
    static constexpr double kJumpReluQuadratic = 16.0;
    // A config with the source's defaults filled in (true features: F for synthetic, n for toy).
    static SaeExperimentConfig withDefaults(Source source);

    // Reads the file an imported-source config names (ActivationImport::load by default; the panel hands in what
    // its loader already read off the GUI thread).
    using ImportLoader =
        std::function<std::shared_ptr<const ImportedActivations>(const std::string& path, const ActivationImportOptions&)>;
    // Session JSON (hostile: every key is type- and range-checked; InputError names it). fromJson validates.
    static SaeExperimentConfig fromJson(const nlohmann::json& settings, const ImportLoader& loader = {});
    // The imported file a File-source JSON names (path, options), if any; no file is read.
    static bool importRequest(const nlohmann::json& settings, std::string* path, ActivationImportOptions* options);
};

void to_json(nlohmann::json& j, const SaeExperimentConfig& config);

} // namespace featurescope
