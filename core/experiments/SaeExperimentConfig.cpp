#include "experiments/SaeExperimentConfig.h"

#include "common/InputError.h"
#include "common/SettingsReader.h"
#include "mlp/ImageDataset.h"
#include "mlp/MlpClassifier.h"
#include "sae/AbsorptionToySource.h"
#include "toy/ToyModelConfig.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace featurescope {

int SaeExperimentConfig::inputDimension() const
{
    switch (source) {
    case Source::Synthetic:
        return syntheticDimension;
    case Source::Toy:
        return toyHidden;
    case Source::FashionMnist:
        return MlpConfig{}.hidden;
    case Source::File:
        return imported ? int(imported->set.activations.rows()) : 0;
    case Source::AbsorptionToy:
        return AbsorptionToySource::Settings{}.dimension;
    }
    return syntheticDimension;
}

SaeConfig SaeExperimentConfig::saeConfig() const
{
    SaeConfig config = sae;
    config.inputDim = inputDimension();
    return config;
}

void SaeExperimentConfig::validate() const
{
    if (checkpointEvery < 0 || (checkpointEvery > 0 && checkpointDirectory.empty()))
        throw InputError("checkpoints need a positive interval and a folder");
    switch (source) {
    case Source::Synthetic:
        if (syntheticFeatures < 1 || syntheticFeatures > 100000)
            throw InputError("true features F must be between 1 and 100000");
        if (syntheticDimension < 1 || syntheticDimension > 4096)
            throw InputError("dimension d must be between 1 and 4096");
        if (!(syntheticMeanActive > 0.0) || syntheticMeanActive > syntheticFeatures)
            throw InputError("mean active features must be above 0 and at most F");
        break;
    case Source::Toy:
        if (toyFeatures < 2 || toyFeatures > 2000)
            throw InputError("toy features n must be between 2 and 2000");
        if (toyHidden < 1 || toyHidden > 512)
            throw InputError("toy hidden m must be between 1 and 512");
        if (toyHidden >= toyFeatures)
            throw InputError("the toy model needs fewer hidden dimensions m than features n (superposition)");
        // The toy model's own bounds (and message) for the probability: one rule for every way to train it.
        {
            ToyModelConfig toy;
            toy.features = toyFeatures;
            toy.hidden = toyHidden;
            toy.featureProbability = ToyModelConfig::sharedProbability(toyFeatures, 1, toyProbability);
            toy.validate();
        }
        if (toySteps < 1 || toySteps > 10000000)
            throw InputError("toy training steps must be between 1 and 1e7");
        break;
    case Source::FashionMnist:
        if (dataDirectory.empty())
            throw InputError("choose the folder with the Fashion-MNIST IDX files");
        if (!ImageDataset::hasSplit(dataDirectory, "train") || !ImageDataset::hasSplit(dataDirectory, "t10k"))
            throw InputError("no IDX image set in " + dataDirectory +
                             " (expected train- and t10k-images/labels-idx?-ubyte[.gz]; install the Debian package "
                             "dataset-fashion-mnist or choose another folder)");
        if (mlpEpochs < 1 || mlpEpochs > 1000)
            throw InputError("MLP epochs must be between 1 and 1000");
        break;
    case Source::File:
        if (!imported || imported->set.activations.size() == 0)
            throw InputError("open an activations file first (File > Open Activations…, or drop a .npy/.npz/"
                             ".safetensors file on the window)");
        break;
    case Source::AbsorptionToy:
        break;
    }
    if (randomized && source != Source::FashionMnist)
        throw InputError("the randomized-weights control needs the Fashion-MNIST source (an MLP to shuffle)");
    if (!(denseThreshold >= 0.0 && denseThreshold <= 1.0))
        throw InputError("the dense threshold must be a fraction of inputs between 0 and 1 (0: automatic)");
    if (!(ultraRareThreshold >= 0.0 && ultraRareThreshold <= 1.0))
        throw InputError("the ultra-rare threshold must be a fraction of inputs between 0 and 1");
    if (evaluationInputs < 0)
        throw InputError("the number of evaluation inputs cannot be negative");
    const SaeConfig config = saeConfig();
    training.validate(config);
    if (training.steps < 1)
        throw InputError("the SAE needs at least one training step");
}

std::string SaeExperimentConfig::sourceName(Source source)
{
    switch (source) {
    case Source::Synthetic: return "synthetic";
    case Source::Toy: return "toy";
    case Source::FashionMnist: return "fashion-mnist";
    case Source::File: return "file";
    case Source::AbsorptionToy: return "absorption-toy";
    }
    return {};
}

bool SaeExperimentConfig::sourceFromName(const std::string& name, Source* source)
{
    for (Source s : {Source::Synthetic, Source::Toy, Source::FashionMnist, Source::File, Source::AbsorptionToy})
        if (sourceName(s) == name) {
            *source = s;
            return true;
        }
    return false;
}

SaeExperimentConfig::Defaults SaeExperimentConfig::defaultsFor(Source source, int trueFeatures)
{
    switch (source) {
    case Source::Toy:
        // Measured on n=20, m=5, p=0.05: MMCS ≈ 1.0 with L0 ≈ 1.8 (true 1.0) in half a second.
        return {4 * trueFeatures, 0.1, 4000, 256, 3e-3, false};
    case Source::FashionMnist:
    case Source::File: // recorded activations of unknown scale: normalise, as for the MLP
        return {512, 0.02, 2000, 1024, 1e-3, true};
    case Source::AbsorptionToy:
        // One latent per true feature; λ 3e-4: untied absorption 1.0, tied 0.0 (tst_absorption).
        return {4, 3e-4, 3000, 512, 3e-3, false};
    case Source::Synthetic:
        break;
    }
    // Measured on F=128, d=64: MMCS ≈ 0.998 with L0 ≈ 6 in under a second.
    return {512, 6e-3, 2000, 256, 3e-3, false};
}

double SaeExperimentConfig::defaultL1(Source source, SaeVariant variant, int inputDim, SaeJumpSparsity sparsity)
{
    int d = inputDim;
    if (d <= 0)
        d = source == Source::Synthetic ? SaeExperimentConfig{}.syntheticDimension
            : source == Source::Toy     ? SaeExperimentConfig{}.toyHidden
                                        : MlpConfig{}.hidden;
    switch (variant) {
    case SaeVariant::Anthropic2024:
        // Anthropic: ‖x − x̂‖² (summed over d_in) + λ Σ f_i ‖W_dec,i‖ with λ = 5 on inputs scaled to E‖x‖ = √d_in.
        // Our reconstruction term is that sum divided by d_in, so their trade-off is λ = 5 / d_in here. Its L1 term
        // shrinks each code by λ·d_in/2 = 2.5 scaled units, which caps explained variance near 0.63 on the synthetic
        // source; 2 / d_in (a shrink of 1) reaches 0.87 with MMCS 0.997 (docs/ARCHITECTURE.md §5).
        return k2024Lambda / d;
    case SaeVariant::JumpReLU:
        // SAELens's l0_coefficient multiplies a squared error summed over d_in; ours is the mean.
        return (sparsity == SaeJumpSparsity::Quadratic ? kJumpReluQuadratic : kJumpReluL0) / d;
    case SaeVariant::TopK:
    case SaeVariant::BatchTopK:
    case SaeVariant::Matryoshka:
        return 0.0; // sparsity comes from k
    case SaeVariant::TM2023:
        break;
    }
    return defaultsFor(source, 20).l1;
}

SaeExperimentConfig SaeExperimentConfig::withDefaults(Source source)
{
    SaeExperimentConfig c;
    c.source = source;
    const Defaults d = defaultsFor(source, source == Source::Toy ? c.toyFeatures : c.syntheticFeatures);
    c.sae.latentDim = d.latents;
    c.sae.l1 = d.l1;
    c.sae.normalizeInputs = d.normalize;
    c.training.steps = d.steps;
    c.training.batch = d.batch;
    c.training.learningRate = d.learningRate;
    c.evaluationInputs = defaultEvaluationInputs(source);
    if (source == Source::FashionMnist)
        c.dataDirectory = ImageDataset::defaultFashionMnistDirectory();
    return c;
}

void to_json(nlohmann::json& j, const SaeExperimentConfig& c)
{
    j = nlohmann::json::object();
    j["source"] = SaeExperimentConfig::sourceName(c.source);
    j["synthetic"] = {{"features", c.syntheticFeatures},
                      {"dimension", c.syntheticDimension},
                      {"mean_active", c.syntheticMeanActive},
                      {"zipf", c.syntheticStructure.zipfExponent},
                      {"parents", c.syntheticStructure.parents},
                      {"children", c.syntheticStructure.childrenPerParent},
                      {"child_probability", c.syntheticStructure.childProbability},
                      {"exclusive_children", c.syntheticStructure.exclusiveChildren},
                      {"correlation", c.syntheticStructure.correlation},
                      {"magnitudes", c.syntheticStructure.magnitudes},
                      {"magnitude_mean", {c.syntheticStructure.magnitudeMeanFirst, c.syntheticStructure.magnitudeMeanLast}},
                      {"magnitude_std", {c.syntheticStructure.magnitudeStdFirst, c.syntheticStructure.magnitudeStdLast}}};
    j["toy"] = {{"features", c.toyFeatures},
                {"hidden", c.toyHidden},
                {"probability", c.toyProbability},
                {"steps", c.toySteps}};
    j["fashion_mnist"] = {{"directory", c.dataDirectory}, {"mlp_epochs", c.mlpEpochs}, {"randomized", c.randomized}};
    if (c.imported)
        j["file"] = {{"path", c.imported->path},
                     {"array", c.imported->arrayName},
                     {"labels", c.imported->labelsName},
                     {"tokens", c.imported->tokensSource}};
    j["sae"] = {{"variant", saeVariantName(c.sae.variant)},
                {"latents", c.sae.latentDim},
                {"l1", c.sae.l1},
                {"k", c.sae.k},
                {"aux_k", c.sae.auxK},
                {"sparsity_loss", saeJumpSparsityName(c.sae.jumpSparsity)},
                {"target_l0", c.sae.jumpTargetL0},
                {"matryoshka_widths", c.sae.matryoshkaWidths},
                {"normalize_inputs", c.sae.normalizeInputs},
                {"per_input_normalization", c.sae.perInputNormalization == SaeInputNormalization::LayerNorm ? "layer_norm"
                                            : c.sae.perInputNormalization == SaeInputNormalization::ConstantNormRescale
                                                ? "constant_norm_rescale"
                                                : "none"}};
    j["training"] = {{"steps", c.training.steps},
                     {"batch", c.training.batch},
                     {"learning_rate", c.training.learningRate},
                     {"seed", c.training.seed},
                     {"threads", c.training.threads},
                     {"lr_schedule", saeLrScheduleName(c.training.lrSchedule)},
                     {"lr_warmup_steps", c.training.lrWarmupSteps},
                     {"lr_decay_steps", c.training.lrDecaySteps},
                     {"lr_end", c.training.lrEnd},
                     {"l1_warmup_steps", c.training.l1WarmupSteps}};
    j["health"] = {{"dense_threshold", c.denseThreshold}, {"ultra_rare_threshold", c.ultraRareThreshold}};
    j["evaluation_inputs"] = c.evaluationInputs;
}

nlohmann::json SaeExperimentConfig::checkpointIdentity() const
{
    nlohmann::json run = *this;
    run.erase("health");
    run.erase("evaluation_inputs");
    run["training"].erase("threads");
    nlohmann::json training = this->training;
    training.erase("threads");
    return {{"experiment", run}, {"sae", saeConfig()}, {"training", training}};
}

bool SaeExperimentConfig::importRequest(const nlohmann::json& settings, std::string* path,
                                        ActivationImportOptions* options)
{
    if (!settings.is_object())
        return false;
    const SettingsReader r(settings, "features panel state");
    if (!r.has("file") || r.raw("file").is_null())
        return false;
    const SettingsReader file = r.object("file");
    options->arrayName = file.text("array", 4096);
    options->labelsName = file.text("labels", 4096);
    options->tokensName = file.text("tokens", 4096);
    *path = file.text("path", 4096);
    return true;
}

SaeExperimentConfig SaeExperimentConfig::fromJson(const nlohmann::json& settings, const ImportLoader& loader)
{
    if (!settings.is_object())
        throw InputError("features panel state: the settings must be a JSON object");
    const SettingsReader r(settings, "features panel state");
    SaeExperimentConfig c;
    const std::string name = r.text("source", 64);
    if (!sourceFromName(name, &c.source) || c.source == Source::AbsorptionToy)
        throw InputError("features panel state: \"source\" is " + name + " (expected synthetic, toy, fashion-mnist or file)");
    const SettingsReader syn = r.object("synthetic");
    c.syntheticFeatures = int(syn.integer("features", 1, 100000));
    c.syntheticDimension = int(syn.integer("dimension", 1, 4096));
    c.syntheticMeanActive = syn.number("mean_active", 1e-6, 100000);
    if (syn.has("zipf")) { // sessions before the structured sources: independent features, geometric law
        c.syntheticStructure.zipfExponent = syn.number("zipf", 0.0, 10.0);
        c.syntheticStructure.parents = int(syn.integer("parents", 0, 100000));
        c.syntheticStructure.childrenPerParent = int(syn.integer("children", 0, 100000));
        c.syntheticStructure.childProbability = syn.number("child_probability", 0.0, 1.0);
        c.syntheticStructure.exclusiveChildren = syn.boolean("exclusive_children");
    }
    if (syn.has("correlation")) { // sessions before correlations and magnitude laws: independent, U[0, 1)
        c.syntheticStructure.correlation = syn.number("correlation", 0.0, 0.999);
        c.syntheticStructure.magnitudes = syn.boolean("magnitudes");
        const std::vector<double> mean = syn.numbers("magnitude_mean", 2, -1e6, 1e6);
        const std::vector<double> sd = syn.numbers("magnitude_std", 2, 0.0, 1e6);
        if (mean.size() != 2 || sd.size() != 2)
            throw InputError("features panel state: magnitude_mean and magnitude_std need two values each");
        c.syntheticStructure.magnitudeMeanFirst = mean[0];
        c.syntheticStructure.magnitudeMeanLast = mean[1];
        c.syntheticStructure.magnitudeStdFirst = sd[0];
        c.syntheticStructure.magnitudeStdLast = sd[1];
    }
    const SettingsReader toy = r.object("toy");
    c.toyFeatures = int(toy.integer("features", 2, 2000));
    c.toyHidden = int(toy.integer("hidden", 1, 512));
    c.toyProbability = toy.number("probability", 1e-9, 1.0);
    c.toySteps = int(toy.integer("steps", 1, 10000000));
    const SettingsReader mnist = r.object("fashion_mnist");
    c.dataDirectory = mnist.text("directory", 4096);
    c.mlpEpochs = int(mnist.integer("mlp_epochs", 1, 1000));
    if (mnist.has("randomized")) // sessions before the experiment layer did not store it
        c.randomized = mnist.boolean("randomized");
    const SettingsReader sae = r.object("sae");
    c.sae.variant =
        saeVariantFromName(sae.choice("variant", {"tm2023", "2024", "topk", "batchtopk", "jumprelu", "matryoshka"}));
    c.sae.latentDim = int(sae.integer("latents", 1, 65536));
    c.sae.l1 = sae.number("l1", 0.0, 1000.0);
    c.sae.k = int(sae.integer("k", 1, 65536));
    if (sae.has("aux_k")) // sessions before AuxK take its default
        c.sae.auxK = sae.number("aux_k", 0.0, 1e6);
    if (sae.has("sparsity_loss")) // sessions before JumpReLU take its default
        c.sae.jumpSparsity = saeJumpSparsityFromName(sae.choice("sparsity_loss", {"step", "tanh", "quadratic"}));
    if (sae.has("target_l0")) // sessions before the quadratic loss take its default
        c.sae.jumpTargetL0 = sae.number("target_l0", 1e-9, 65536.0);
    if (sae.has("matryoshka_widths"))
        for (std::int64_t w : sae.integers("matryoshka_widths", 64, 1, 65536))
            c.sae.matryoshkaWidths.push_back(int(w));
    c.sae.normalizeInputs = sae.boolean("normalize_inputs");
    if (sae.has("per_input_normalization")) { // sessions before it: none
        const std::string mode = sae.choice("per_input_normalization", {"none", "constant_norm_rescale", "layer_norm"});
        c.sae.perInputNormalization = mode == "layer_norm"              ? SaeInputNormalization::LayerNorm
                                      : mode == "constant_norm_rescale" ? SaeInputNormalization::ConstantNormRescale
                                                                        : SaeInputNormalization::None;
    }
    const SettingsReader training = r.object("training");
    c.training.steps = int(training.integer("steps", 1, 10000000));
    c.training.batch = int(training.integer("batch", 1, 65536));
    c.training.learningRate = training.number("learning_rate", 1e-9, 10.0);
    c.training.seed = std::uint64_t(training.integer("seed", 0, 1000000000));
    if (training.has("threads"))
        c.training.threads = int(training.integer("threads", 1, 64));
    if (training.has("lr_schedule")) { // sessions before the schedules take the constant default
        c.training.lrSchedule = saeLrScheduleFromName(training.choice("lr_schedule", {"constant", "cosine"}));
        c.training.lrWarmupSteps = int(training.integer("lr_warmup_steps", 0, c.training.steps));
        c.training.lrDecaySteps = int(training.integer("lr_decay_steps", 0, c.training.steps));
        c.training.lrEnd = training.number("lr_end", -1.0, 10.0);
        c.training.l1WarmupSteps = int(training.integer("l1_warmup_steps", -1, c.training.steps));
    }
    if (r.has("health")) { // sessions before the health thresholds take the defaults
        const SettingsReader health = r.object("health");
        c.denseThreshold = health.number("dense_threshold", 0.0, 1.0);
        c.ultraRareThreshold = health.number("ultra_rare_threshold", 0.0, 1.0);
    }
    c.evaluationInputs = r.has("evaluation_inputs") ? int(r.integer("evaluation_inputs", 0, 1 << 30))
                                                    : defaultEvaluationInputs(c.source);
    if (c.source == Source::File) {
        std::string path;
        if (!importRequest(settings, &path, &c.importOptions))
            throw InputError("features panel state: \"file\" is missing for the file source");
        std::error_code error;
        if (!std::filesystem::is_regular_file(path, error))
            throw InputError(path + ": the activations file of the saved session is gone (move it back, or open the "
                                    "session's weights with another source)");
        c.imported = loader ? loader(path, c.importOptions)
                            : std::make_shared<const ImportedActivations>(ActivationImport::load(path, c.importOptions));
    }
    c.validate();
    return c;
}

} // namespace featurescope
