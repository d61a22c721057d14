#include "cli/SaeOptions.h"

#include "common/InputError.h"
#include "sae/SaeConfig.h"

#include <algorithm>
#include <cstdio>
#include <memory>

using featurescope::InputError;
using namespace featurescope;

namespace {

using Defaults = SaeExperimentConfig::Defaults;

std::string number(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
}

// "what (synthetic: a, toy: b, fashion-mnist: c, file: d)", from the defaults the panel uses too.
std::string perSource(const std::string& what, std::string (*value)(const Defaults&))
{
    std::string text = what + " (";
    const SaeExperimentConfig::Source sources[] = {SaeExperimentConfig::Source::Synthetic, SaeExperimentConfig::Source::Toy,
                                                   SaeExperimentConfig::Source::FashionMnist, SaeExperimentConfig::Source::File,
                                                   SaeExperimentConfig::Source::AbsorptionToy};
    for (auto source : sources)
        text += (source == sources[0] ? "" : ", ") + SaeExperimentConfig::sourceName(source) + ": " +
                value(SaeExperimentConfig::defaultsFor(source, 20));
    return text + ")";
}

} // namespace

ImportedActivations SaeOptions::loadActivations(const ArgumentParser& args)
{
    ActivationImportOptions options;
    options.arrayName = args.text("array");
    options.labelsName = args.text("labels");
    options.npy.u2IsBf16 = args.flag("u2-is-bf16");
    return ActivationImport::load(args.text("activations"), options);
}

std::vector<ArgumentParser::Option> SaeOptions::list()
{
    return {{"source", true, "synthetic (default), toy, fashion-mnist, file, lm (a language model: see --source lm "
                             "--help) or absorption-toy (Chanin et al. 2024: 4 orthogonal features in d = 50, "
                             "feature 1 active only with feature 0)"},
            {"tied", false, "tie the encoder to the decoder (W_enc = W_dec^T), which removes feature absorption"},
            {"features", true, "true features F (synthetic: 128, toy: 20)"},
            {"d", true, "activation dimension d (synthetic: 64, toy: 5)"},
            {"zipf", true, "synthetic: Zipfian firing, probability proportional to (rank + 1)^-S (default: 0.99^rank)"},
            {"hierarchy", true, "synthetic: P,C = the first P features are parents with C children each, a child active only with its parent (absorption_rate in the JSON)"},
            {"child-probability", true, "synthetic with --hierarchy: a child's probability given its parent (0.5; with --exclusive-children: that one child fires)"},
            {"exclusive-children", false, "synthetic with --hierarchy: at most one child of a parent at a time"},
            {"correlation", true, "synthetic: correlated firing as SAELens's synthetic data, strength S in [0, 1): a "
                                  "Gaussian copula (feature i fires when z_i > Phi^-1(1 - p_i), z ~ N(0, Sigma)), "
                                  "Sigma with 30 % of the pairs uncorrelated and the others +-rho (half each sign), "
                                  "|rho| uniform in [min(0.1, S), S], made positive semi-definite; each feature keeps "
                                  "its firing probability (0: independent, the default)"},
            {"magnitude-mean", true, "synthetic: firing magnitudes max(0, mean_i + std_i N(0,1)) instead of U[0,1), "
                                     "mean_i = A, or A,B: linear from the first feature to the last (SAELens's "
                                     "constant and linear laws; default 1 when --magnitude-std is given)"},
            {"magnitude-std", true, "synthetic: the magnitudes' standard deviation std_i = A or A,B linear (default 0)"},
            {"feature-probability", true, "toy: probability that a feature is active (0.05)"},
            {"toy-steps", true, "toy: training steps of the toy model (3000)"},
            {"d-sae", true, "SAE latents (synthetic, fashion-mnist: 512; toy: 4F)"},
            {"variant", true, "tm2023 (default), 2024, topk, batchtopk (the k x batch largest activations of each "
                                     "batch; at inference a JumpReLU at the learned threshold, exported to SAELens as jumprelu) "
                                     "jumprelu (f = pre if pre > theta_j, thresholds learned through a straight-through "
                                     "estimator, bandwidth 0.05, initial theta 0.01, as SAELens) or matryoshka (BatchTopK "
                                     "codes, the reconstruction loss summed over nested prefixes of the dictionary, each "
                                     "decoding with its first w latents only; AuxK and export as batchtopk)"},
            {"matryoshka-widths", true, "matryoshka: the nested prefix widths a,b,c (strictly increasing; d_sae is added "
                                        "as the last when missing). Default as SAELens: none, i.e. one prefix, d_sae: "
                                        "plain BatchTopK (a note says so); e.g. 32,128,512"},
            {"sparsity-loss", true, "jumprelu: step (lambda x L0, DeepMind; default), tanh (lambda x sum tanh(4 f |W_dec|), "
                                    "Anthropic) or quadratic (lambda x (L0 / target - 1)^2, L0 the batch's mean active "
                                    "count through the step estimator: a penalty towards a target L0, after Gemma Scope 2)"},
            {"target-l0", true, "jumprelu with --sparsity-loss quadratic: the target L0 (default: --k, 5)"},
            {"l1", true, perSource("sparsity penalty lambda, tm2023", [](const Defaults& d) { return number(d.l1); }) +
                              "; 2024: 2/d_in (lambda = 2 for a squared error summed over d_in; our MSE is a mean over "
                              "d_in. Anthropic's 5/d_in shrinks codes so much that synthetic data reaches explained "
                              "variance 0.63; 2/d_in reaches 0.87 at MMCS 0.997); jumprelu: the sparsity loss's coefficient, 1/d_in "
                              "(SAELens's l0_coefficient 1 for a summed squared error), with --sparsity-loss quadratic 16/d_in; topk, batchtopk, matryoshka: 0"},
            {"k", true, "topk: active latents per input; batchtopk, matryoshka: on average (5)"},
            {"aux-k", true, "topk, batchtopk, matryoshka: weight of the AuxK loss on latents silent for more than 1000 steps (1; 0 = off)"},
            {"steps", true, perSource("SAE training steps", [](const Defaults& d) { return std::to_string(d.steps); })},
            {"batch", true, perSource("batch size", [](const Defaults& d) { return std::to_string(d.batch); })},
            {"threads", true, "threads sharing each batch (default 1, as the PyTorch reference)"},
            {"lr", true, perSource("Adam learning rate", [](const Defaults& d) { return number(d.learningRate); })},
            {"lr-schedule", true, "constant (default) or cosine: the learning rate between warm-up and decay (cosine anneals from --lr to --lr-end)"},
            {"lr-warmup", true, "steps of linear learning-rate warm-up from lr/N to lr (0)"},
            {"lr-decay", true, "final steps of linear learning-rate decay to 0 (0)"},
            {"lr-end", true, "learning rate the cosine phase ends at and the decay starts from (lr/10)"},
            {"l1-warmup", true, "steps over which the sparsity coefficient grows linearly to its value (2024: 5 % of the steps; jumprelu with --sparsity-loss quadratic: all of them; others 0)"},
            {"seed", true, "random seed (0)"},
            {"normalize", true, "activation normalisation, SAELens's normalize_activations: none (alias off), "
                                "expected_average_only_in (alias on: one fixed scale so that E|x| = sqrt(d_in), "
                                "folded into the weights on export; the default for fashion-mnist, 2024 and jumprelu), "
                                "constant_norm_rescale (each input scaled to norm sqrt(d_in)) or layer_norm (each "
                                "input centred and divided by its standard deviation + 1e-5); with the last two the "
                                "reconstruction is un-normalised (x_hat' |x|/sqrt(d_in), or x_hat' sigma + mu) before "
                                "the loss, so the loss and MSE are in the inputs' units, and the export keeps the mode. The 2024 and jumprelu recipes always normalise (none is refused)"},
            {"resample-at", true, "comma-separated steps after which dead features are resampled"},
            {"path", true, "auto (default), dense or sparse: how the loss and gradient are computed"},
            {"dense-threshold", true, "density above which a latent counts as dense (default: the densest true feature's rate, plus 3 standard errors, on synthetic and toy data, else 0.01)"},
            {"ultra-rare", true, "density below which an active latent counts as ultra-rare (1e-5)"},
            {"eval", true, "evaluation inputs (generated sources: 8192; file: its first 65536 rows)"},
            {"randomized", false, "fashion-mnist: use the MLP with shuffled weights (the TM control)"},
            {"data-dir", true, "folder with the Fashion-MNIST IDX files"},
            {"mlp-epochs", true, "fashion-mnist: MLP training epochs (4)"},
            {"activations", true, "file: [N, d] activations from a .npy, .npz or .safetensors FILE"},
            {"array", true, "file: the array to use when the file holds several"},
            {"labels", true, "file: integer labels per row (an array name in the file, or FILE[:NAME])"},
            {"u2-is-bf16", false, "file: read '<u2' .npy arrays as bfloat16 (featurescope's convention)"},
            {"sae", true, "evaluate the SAELens SAE in folder DIR on --activations (no training)"},
            {"save", true, "write the trained SAE to folder DIR in SAELens's layout (cfg.json + safetensors)"},
            {"checkpoint-every", true, "write a checkpoint every N steps into --checkpoint-dir DIR/step_<N>: the SAE in "
                                       "SAELens's layout plus the trainer's state (optimizer moments, step, random "
                                       "generators, activity), enough to continue the run exactly"},
            {"checkpoint-dir", true, "folder of the checkpoints (with --checkpoint-every)"},
            {"resume", true, "continue the run from checkpoint folder DIR (or from the latest step_<N> in a "
                             "--checkpoint-dir); the other options must describe the same run (--threads may differ, at the price of the last bits)"},
            {"save-diverged", false, "--save even when training diverged (not saved by default)"},
            {"codes", true, "write the codes of the evaluation inputs to FILE.npy ([N, d_sae] f32)"},
            {"features-csv", true, "write per-feature density, max activation, purity, coherence to FILE"},
            {"export-activations", true, "write the evaluation inputs (and labels, images) to FILE (.npy, .npz, .safetensors)"}};
}

std::string SaeOptions::sourceName(const ArgumentParser& args)
{
    return args.text("source", args.has("activations") ? "file" : "synthetic");
}

SaeExperimentConfig SaeOptions::config(const ArgumentParser& args)
{
    const std::string sourceName = SaeOptions::sourceName(args);
    const bool file = sourceName == "file";
    if (file != args.has("activations"))
        throw InputError(file ? "--source file needs --activations FILE"
                              : "--activations needs --source file (or no --source)");
    for (const char* option : {"array", "labels", "u2-is-bf16"})
        if (args.has(option) && !file)
            throw InputError(std::string("--") + option + " needs --activations FILE");
    if (file && (args.has("features") || args.has("d")))
        throw InputError("--features and --d apply to the synthetic and toy sources (a file's activations set d)");
    if (sourceName != "synthetic" && sourceName != "toy" && sourceName != "fashion-mnist" &&
        sourceName != "absorption-toy" && !file)
        throw InputError("unknown source '" + sourceName +
                         "' (expected synthetic, toy, fashion-mnist, file, lm or absorption-toy)");
    if (sourceName == "absorption-toy" && (args.has("features") || args.has("d")))
        throw InputError("--features and --d apply to the synthetic and toy sources (the absorption toy has 4 features in "
                         "d = 50)");
    const bool fashion = sourceName == "fashion-mnist";
    if (fashion && (args.has("features") || args.has("d")))
        throw InputError("--features and --d apply to the synthetic and toy sources (fashion-mnist has d = 128)");
    if (!fashion && (args.has("randomized") || args.has("data-dir") || args.has("mlp-epochs")))
        throw InputError("--randomized, --data-dir and --mlp-epochs need --source fashion-mnist");
    if (sourceName != "toy" && (args.has("feature-probability") || args.has("toy-steps")))
        throw InputError("--feature-probability and --toy-steps need --source toy");

    const bool toy = sourceName == "toy";
    SaeExperimentConfig::Source source;
    SaeExperimentConfig::sourceFromName(sourceName, &source);
    SaeExperimentConfig config = SaeExperimentConfig::withDefaults(source);
    const int features = int(args.integer("features", toy ? config.toyFeatures : config.syntheticFeatures, 1, 100000));
    const int d = int(args.integer("d", toy ? config.toyHidden : config.syntheticDimension, 1, 4096));
    const SaeExperimentConfig::Defaults defaults = SaeExperimentConfig::defaultsFor(source, features);
    if (toy) {
        config.toyFeatures = features;
        config.toyHidden = d;
        config.toyProbability = args.number("feature-probability", config.toyProbability, 0.0, 1.0, true);
        config.toySteps = int(args.integer("toy-steps", config.toySteps, 1, 10000000));
    } else {
        config.syntheticFeatures = features;
        config.syntheticDimension = d;
    }
    if (sourceName != "synthetic" &&
        (args.has("zipf") || args.has("hierarchy") || args.has("child-probability") || args.has("exclusive-children") ||
         args.has("correlation") || args.has("magnitude-mean") || args.has("magnitude-std")))
        throw InputError("--zipf, --hierarchy, --child-probability, --exclusive-children, --correlation, "
                         "--magnitude-mean and --magnitude-std need --source synthetic");
    SyntheticStructure& structure = config.syntheticStructure;
    structure.zipfExponent = args.has("zipf") ? args.number("zipf", 0.0, 0.0, 10.0, true) : 0.0;
    if (args.has("hierarchy")) {
        const std::vector<double> pc = args.numberList("hierarchy", {});
        if (pc.size() != 2 || pc[0] < 1 || pc[1] < 1 || pc[0] != double(int(pc[0])) || pc[1] != double(int(pc[1])))
            throw InputError("option --hierarchy expects P,C: whole numbers of parents and of children per parent");
        structure.parents = int(pc[0]);
        structure.childrenPerParent = int(pc[1]);
    } else if (args.has("child-probability") || args.has("exclusive-children")) {
        throw InputError("--child-probability and --exclusive-children need --hierarchy P,C");
    }
    structure.childProbability = args.number("child-probability", 0.5, 0.0, 1.0);
    structure.exclusiveChildren = args.flag("exclusive-children");
    structure.correlation = args.has("correlation") ? args.number("correlation", 0.0, 0.0, 0.999) : 0.0;
    structure.magnitudes = args.has("magnitude-mean") || args.has("magnitude-std");
    auto profile = [&](const char* option, double fallback, double min, double* first, double* last) {
        *first = *last = fallback;
        if (!args.has(option))
            return;
        const std::vector<double> v = args.numberList(option, {});
        if (v.empty() || v.size() > 2 || v[0] < min || v.back() < min || v[0] > 1e6 || v.back() > 1e6)
            throw InputError(std::string("option --") + option + " expects A or A,B between " + number(min) +
                             " and 1e6");
        *first = v[0];
        *last = v.back();
    };
    profile("magnitude-mean", 1.0, -1e6, &structure.magnitudeMeanFirst, &structure.magnitudeMeanLast);
    profile("magnitude-std", 0.0, 0.0, &structure.magnitudeStdFirst, &structure.magnitudeStdLast);
    if (fashion) {
        config.dataDirectory = args.text("data-dir", config.dataDirectory);
        config.mlpEpochs = int(args.integer("mlp-epochs", config.mlpEpochs, 1, 1000));
        config.randomized = args.flag("randomized");
    }
    if (file) {
        auto imported = std::make_shared<ImportedActivations>(SaeOptions::loadActivations(args));
        config.importOptions.arrayName = args.text("array");
        config.importOptions.labelsName = args.text("labels");
        config.imported = std::move(imported);
    }
    SaeConfig& sae = config.sae;
    sae.variant = saeVariantFromName(args.text("variant", "tm2023"));
    sae.latentDim = int(args.integer("d-sae", defaults.latents, 1, 1 << 20));
    sae.k = int(args.integer("k", 5, 1, sae.latentDim));
    sae.auxK = args.number("aux-k", sae.auxK, 0.0, 1e6);
    sae.tiedEncoder = args.flag("tied");
    if (args.has("aux-k") && !sae.selectsTopK())
        throw InputError("--aux-k applies to --variant topk, batchtopk and matryoshka");
    if (args.has("sparsity-loss")) {
        const std::string loss = args.text("sparsity-loss");
        if (sae.variant != SaeVariant::JumpReLU)
            throw InputError("--sparsity-loss applies to --variant jumprelu");
        if (loss != "step" && loss != "tanh" && loss != "quadratic")
            throw InputError("option --sparsity-loss expects step, tanh or quadratic, got '" + loss + "'");
        sae.jumpSparsity = saeJumpSparsityFromName(loss);
    }
    sae.l1 = args.number(
        "l1", SaeExperimentConfig::defaultL1(source, sae.variant, config.inputDimension(), sae.jumpSparsity), 0.0, 1e3);
    if (args.has("target-l0") && sae.jumpSparsity != SaeJumpSparsity::Quadratic)
        throw InputError("--target-l0 applies to --variant jumprelu --sparsity-loss quadratic");
    if (sae.jumpSparsity == SaeJumpSparsity::Quadratic)
        sae.jumpTargetL0 =
            args.number("target-l0", double(std::min(sae.k, sae.latentDim)), 0.0, double(sae.latentDim), true);
    if (args.has("matryoshka-widths")) {
        if (sae.variant != SaeVariant::Matryoshka)
            throw InputError("--matryoshka-widths applies to --variant matryoshka");
        for (double w : args.numberList("matryoshka-widths", {})) {
            if (w < 1 || w > sae.latentDim || w != double(int(w)))
                throw InputError("option --matryoshka-widths expects whole numbers between 1 and --d-sae (" +
                                 std::to_string(sae.latentDim) + ")");
            if (!sae.matryoshkaWidths.empty() && int(w) <= sae.matryoshkaWidths.back())
                throw InputError("option --matryoshka-widths expects strictly increasing widths");
            sae.matryoshkaWidths.push_back(int(w));
        }
    }
    const std::string normalize = args.text("normalize", defaults.normalize ? "on" : "off");
    if (normalize == "on" || normalize == "expected_average_only_in")
        sae.normalizeInputs = true;
    else if (normalize == "off" || normalize == "none")
        sae.normalizeInputs = false;
    else if (normalize == "constant_norm_rescale")
        sae.perInputNormalization = SaeInputNormalization::ConstantNormRescale;
    else if (normalize == "layer_norm")
        sae.perInputNormalization = SaeInputNormalization::LayerNorm;
    else
        throw InputError("option --normalize expects none, expected_average_only_in, constant_norm_rescale, layer_norm, "
                         "on or off, got '" + normalize + "'");
    // A per-input normalisation replaces the fixed scale these recipes otherwise always apply.
    if ((sae.variant == SaeVariant::Anthropic2024 || sae.variant == SaeVariant::JumpReLU) && !sae.normalizeInputs &&
        sae.perInputNormalization == SaeInputNormalization::None && args.has("normalize"))
        throw InputError("the " + saeVariantName(sae.variant) +
                         " variant always normalises its inputs (--normalize off or none is not possible)");
    SaeTrainingConfig& training = config.training;
    training.steps = int(args.integer("steps", defaults.steps, 0, 10000000));
    training.batch = int(args.integer("batch", defaults.batch, 1, 65536));
    training.threads = int(args.integer("threads", 1, 1, 64));
    training.learningRate = args.number("lr", defaults.learningRate, 0.0, 10.0, true);
    training.seed = std::uint64_t(args.integer("seed", 0, 0, (1ll << 62)));
    training.lrSchedule = saeLrScheduleFromName(args.text("lr-schedule", "constant"));
    training.lrWarmupSteps = int(args.integer("lr-warmup", 0, 0, training.steps));
    training.lrDecaySteps = int(args.integer("lr-decay", 0, 0, training.steps));
    training.lrEnd = args.has("lr-end") ? args.number("lr-end", 0.0, 0.0, training.learningRate) : -1.0;
    training.l1WarmupSteps = args.has("l1-warmup") ? int(args.integer("l1-warmup", 0, 0, training.steps)) : -1;
    for (double step : args.numberList("resample-at", {})) {
        if (step < 1 || step > training.steps || step != double(int(step)))
            throw InputError("option --resample-at expects whole steps between 1 and --steps");
        training.resampleSteps.push_back(int(step));
    }
    const std::string path = args.text("path", "auto");
    if (path == "auto")
        training.path = SaeComputePath::Automatic;
    else if (path == "dense")
        training.path = SaeComputePath::Dense;
    else if (path == "sparse")
        training.path = SaeComputePath::Sparse;
    else
        throw InputError("option --path expects auto, dense or sparse, got '" + path + "'");
    config.evaluationInputs = int(args.integer("eval", config.evaluationInputs, 1, 1 << 30));
    // Omitted: 0, "relative to the data" (resolved by SaeExperiment::evaluationOptions). Given: a fraction in (0, 1].
    if (args.has("dense-threshold"))
        config.denseThreshold = args.number("dense-threshold", 0.0, 0.0, 1.0, true);
    config.ultraRareThreshold = args.number("ultra-rare", config.ultraRareThreshold, 0.0, 1.0);
    if (args.has("checkpoint-every") != args.has("checkpoint-dir"))
        throw InputError("--checkpoint-every N and --checkpoint-dir DIR go together");
    config.checkpointEvery = int(args.integer("checkpoint-every", 0, 1, std::max(1, training.steps)));
    config.checkpointDirectory = args.text("checkpoint-dir");
    config.resumeFrom = args.text("resume");
    return config;
}
