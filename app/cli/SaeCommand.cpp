#include "cli/SaeCommand.h"
#include "cli/SaeLmCommand.h"

#include "cli/ArgumentParser.h"
#include "common/InputError.h"
#include "io/NpyFile.h"
#include "mlp/ImageDataset.h"
#include "mlp/MlpTrainer.h"
#include "sae/ActivationExport.h"
#include "sae/ActivationImport.h"
#include "sae/ImportedSaeEvaluator.h"
#include "sae/MatrixActivationSource.h"
#include "sae/MlpActivationSource.h"
#include "sae/SaeLensExporter.h"
#include "sae/SaeLensLoader.h"
#include "sae/SaeMetricsExport.h"
#include "sae/SaeEvaluator.h"
#include "sae/SaeTrainer.h"
#include "sae/SyntheticActivationSource.h"
#include "experiments/SaeExperiment.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

using featurescope::InputError;
using namespace featurescope;

namespace {

using Defaults = SaeExperimentConfig::Defaults;

// What the health and ground-truth fields of --json mean (printed by --help).
const char* const kMetricDefinitions =
    "\nDictionary health (JSON fields), from each latent's density: the fraction of inputs it is active on.\n"
    "  health_window           \"training\": counted over the last 1000 training steps (all steps if fewer), i.e.\n"
    "                          health_inputs = 1000 x batch training inputs; \"evaluation\" (--sae, or a run stopped\n"
    "                          before that window): counted over the evaluation inputs, which cannot resolve\n"
    "                          densities below 1/health_inputs\n"
    "  dead_fraction           latents never active over the health inputs\n"
    "  ultra_rare_fraction     latents active, but on fewer than ultra_rare_threshold of them (--ultra-rare, 1e-5)\n"
    "  dense_fraction          latents active on more than dense_threshold of them: on synthetic and toy data the\n"
    "                          densest true feature's rate p + 3 sqrt(p(1-p)/health_inputs) (dense relative to the\n"
    "                          data, sampling noise allowed for), else 0.01 (--dense-threshold)\n"
    "  silent_on_evaluation_fraction  latents never active on the evaluation inputs (what dead_fraction meant before)\n"
    "  aux_k_dead_latents      topk: latents the AuxK loss treated as dead at the last step (silent > 1000 steps)\n"
    "\nGround-truth recovery (synthetic and toy data; JSON fields), as SAELens's synthetic evaluation:\n"
    "  mmcs                    mean over true features of the best |cosine| with any decoder column\n"
    "  mcc                     true features matched one to one to decoder columns (Hungarian algorithm on |cosine|);\n"
    "                          the mean |cosine| of the matched pairs\n"
    "  precision_mean, recall_mean, f1_mean   synthetic: each matched latent as a detector of its true feature on\n"
    "                          the evaluation inputs (fires: code > 0; true: the feature is active), TP/(TP+FP),\n"
    "                          TP/(TP+FN) and their harmonic mean, 0 where undefined, averaged over matched pairs\n"
    "  shrinkage               synthetic: per matched pair, over the inputs where the true feature is active, the\n"
    "                          summed norm of the latent's contribution (code x decoder norm) over the summed norm\n"
    "                          of the feature's; the mean over pairs (1 = none; an L1 penalty pulls it below 1)\n"
    "  absorption_rate         absorption-toy: over the inputs where the child feature is active (so the parent too),\n"
    "                          the share where the parent's matched latent is silent while the child's fires\n";

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

ImportedActivations loadActivations(const ArgumentParser& args)
{
    ActivationImportOptions options;
    options.arrayName = args.text("array");
    options.labelsName = args.text("labels");
    options.npy.u2IsBf16 = args.flag("u2-is-bf16");
    return ActivationImport::load(args.text("activations"), options);
}

// --codes FILE.npy and --features-csv FILE, for an evaluated SAE of either kind.
template <typename Encoder>
void writeCodes(const ArgumentParser& args, const EvaluationSet& set, int latents, Encoder encode)
{
    if (!args.has("codes"))
        return;
    const std::uint64_t n = std::uint64_t(set.size()), k = std::uint64_t(latents);
    std::vector<float> codes(std::size_t(n * k));
    for (int begin = 0; begin < set.size(); begin += 1024) {
        const int count = std::min(1024, set.size() - begin);
        const Eigen::MatrixXf F = encode(Eigen::MatrixXf(set.activations.middleCols(begin, count)));
        // Column-major d_sae x count is row-major [count, d_sae].
        std::copy(F.data(), F.data() + F.size(), codes.begin() + std::ptrdiff_t(std::uint64_t(begin) * k));
    }
    NpyFile::write(args.text("codes"), ArrayData::fromFloats({n, k}, codes.data()));
}

void writeOutputs(const ArgumentParser& args, nlohmann::json& out, const SaeEvaluator& evaluator, const SparseAutoencoder& sae)
{
    writeCodes(args, evaluator.evaluationSet(), sae.latentDim(), [&](const Eigen::MatrixXf& X) { return sae.encode(X); });
    if (args.has("codes"))
        out["codes"] = args.text("codes");
    if (args.has("features-csv")) {
        SaeMetricsExport::writeText(args.text("features-csv"), SaeMetricsExport::featureTableCsv(evaluator));
        out["features_csv"] = args.text("features-csv");
    }
    if (args.has("export-activations")) {
        ActivationExport::write(args.text("export-activations"), evaluator.evaluationSet());
        out["exported_activations"] = args.text("export-activations");
    }
}

// `featurescope sae --sae DIR --activations FILE`: evaluates an SAE trained elsewhere (SAELens layout).
int evaluateImportedSae(const ArgumentParser& args)
{
    if (!args.has("activations"))
        throw InputError("--sae needs --activations FILE (the inputs to evaluate the SAE on)");
    if (args.has("source") && args.text("source") != "file")
        throw InputError("--sae evaluates on --activations FILE: --source must be file or absent");
    for (const char* option : {"features", "d", "feature-probability", "toy-steps", "d-sae", "variant", "l1", "k", "aux-k",
                               "steps", "batch", "lr", "lr-schedule", "lr-warmup", "lr-decay", "lr-end", "l1-warmup",
                               "normalize", "resample-at", "path", "randomized", "data-dir",
                               "mlp-epochs", "save", "save-diverged", "seed", "export-activations", "sparsity-loss", "tied"})
        if (args.has(option))
            throw InputError(std::string("--") + option + " does not apply to --sae (the SAE is evaluated, not trained)");
    const std::string directory = args.text("sae");
    const ImportedSae sae = SaeLensLoader::load(directory);
    ImportedActivations imported = loadActivations(args);
    if (imported.set.activations.rows() != sae.inputDim())
        throw InputError(imported.path + ": the activations have d = " + std::to_string(imported.set.activations.rows()) +
                         " but the SAE in " + directory + " has d_in = " + std::to_string(sae.inputDim()));
    const int maxCount = int(args.integer("eval", 0, 1, 1 << 30));
    const MatrixActivationSource source(std::move(imported.set), imported.path);
    EvaluationSet set = source.evaluationSet(maxCount, 0);

    const SaeLensConfig& c = sae.config();
    nlohmann::json out;
    out["source"] = "file";
    out["activations"] = imported.path;
    out["array"] = imported.arrayName;
    out["array_shape"] = imported.shape;
    out["array_dtype"] = dtypeShortName(imported.dtype);
    if (!imported.labelsName.empty())
        out["labels"] = imported.labelsName;
    out["sae"] = directory;
    out["architecture"] = saeLensArchitectureName(c.architecture);
    out["cfg_layout"] = c.preV6Layout ? "pre-6" : "v6";
    out["d_in"] = sae.inputDim();
    out["d_sae"] = sae.latentDim();
    if (c.architecture == SaeLensArchitecture::TopK)
        out["k"] = c.k;
    out["apply_b_dec_to_input"] = c.applyBDecToInput;
    out["normalize_activations"] = saeLensNormalizationName(c.normalization);
    if (!c.hookName.empty())
        out["hook_name"] = c.hookName;
    std::string reason;
    const std::optional<SparseAutoencoder> converted = sae.toSparseAutoencoder(&reason);
    SaeEvaluationOptions options;
    options.denseThreshold = args.number("dense-threshold", SaeExperimentConfig::kDefaultDenseThreshold, 0.0, 1.0, true);
    options.ultraRareThreshold = args.number("ultra-rare", options.ultraRareThreshold, 0.0, 1.0);
    SaeDictionaryMetrics metrics;
    if (converted) {
        const SaeEvaluator evaluator(*converted, set, {}, options);
        metrics = evaluator.metrics();
        metrics.requireFinite(imported.path);
        out["evaluator"] = "SaeEvaluator";
        writeOutputs(args, out, evaluator, *converted);
    } else {
        const ImportedSaeEvaluator evaluator(sae, set, {}, options);
        metrics = evaluator.metrics();
        metrics.requireFinite(imported.path);
        out["evaluator"] = "ImportedSaeEvaluator";
        out["evaluator_reason"] = reason;
        writeCodes(args, set, sae.latentDim(), [&](const Eigen::MatrixXf& X) { return sae.encode(X); });
        if (args.has("codes"))
            out["codes"] = args.text("codes");
        if (args.has("features-csv")) {
            SaeMetricsExport::writeText(args.text("features-csv"),
                                        SaeMetricsExport::featureTableCsv(evaluator.densities(), evaluator.maxActivations()));
            out["features_csv"] = args.text("features-csv");
        }
    }
    out.update(SaeMetricsExport::toJson(metrics));
    if (args.flag("json")) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    char line[512];
    std::cout << "SAELens SAE " << directory << " (" << out["architecture"].get<std::string>() << ", "
              << out["cfg_layout"].get<std::string>() << " cfg.json): d_in " << sae.inputDim() << ", d_sae "
              << sae.latentDim() << ", evaluated on " << metrics.evaluationCount << " rows of " << imported.path << "\n";
    std::snprintf(line, sizeof line,
                  "  L0 %.2f   MSE %.4g   variance explained %.3f   dead %.1f %%   dense %.1f %%\n", metrics.l0,
                  metrics.mse, metrics.explainedVariance, 100.0 * metrics.deadFraction, 100.0 * metrics.denseFraction);
    std::cout << line;
    if (metrics.hasLabelPurity()) {
        std::snprintf(line, sizeof line, "  mean label purity %.4f   mean coherence %.4f\n", metrics.meanLabelPurity,
                      metrics.meanCoherence);
        std::cout << line;
    }
    return 0;
}

} // namespace

int SaeCommand::run(const std::vector<std::string>& arguments)
{
    if (SaeLmCommand::wants(arguments)) // a language model's activations: its own options, then back here
        return SaeLmCommand::run(arguments);
    ArgumentParser args("sae",
                        {{"source", true, "synthetic (default), toy, fashion-mnist, file, lm (a language model: see --source lm "
                                          "--help) or absorption-toy (Chanin et al. 2024: 4 orthogonal features in d = 50, "
                                          "feature 1 active only with feature 0)"},
                         {"tied", false, "tie the encoder to the decoder (W_enc = W_dec^T), which removes feature absorption"},
                         {"features", true, "true features F (synthetic: 128, toy: 20)"},
                         {"d", true, "activation dimension d (synthetic: 64, toy: 5)"},
                         {"zipf", true, "synthetic: Zipfian firing, probability proportional to (rank + 1)^-S (default: 0.99^rank)"},
                         {"hierarchy", true, "synthetic: P,C = the first P features are parents with C children each, a child active only with its parent (absorption_rate in the JSON)"},
                         {"child-probability", true, "synthetic with --hierarchy: a child's probability given its parent (0.5; with --exclusive-children: that one child fires)"},
                         {"exclusive-children", false, "synthetic with --hierarchy: at most one child of a parent at a time"},
                         {"feature-probability", true, "toy: probability that a feature is active (0.05)"},
                         {"toy-steps", true, "toy: training steps of the toy model (3000)"},
                         {"d-sae", true, "SAE latents (synthetic, fashion-mnist: 512; toy: 4F)"},
                         {"variant", true, "tm2023 (default), 2024, topk, batchtopk (the k x batch largest activations of each "
                                                  "batch; at inference a JumpReLU at the learned threshold, exported to SAELens as jumprelu) "
                                                  "or jumprelu (f = pre if pre > theta_j, thresholds learned through a straight-through "
                                                  "estimator, bandwidth 0.05, initial theta 0.01, as SAELens)"},
                         {"sparsity-loss", true, "jumprelu: step (lambda x L0, DeepMind; default) or tanh (lambda x sum tanh(4 f |W_dec|), Anthropic)"},
                         {"l1", true, perSource("sparsity penalty lambda, tm2023", [](const Defaults& d) { return number(d.l1); }) +
                                           "; 2024: 2/d_in (lambda = 2 for a squared error summed over d_in; our MSE is a mean over "
                                           "d_in. Anthropic's 5/d_in shrinks codes so much that synthetic data reaches explained "
                                           "variance 0.63; 2/d_in reaches 0.87 at MMCS 0.997); jumprelu: the sparsity loss's coefficient, 1/d_in "
                                           "(SAELens's l0_coefficient 1 for a summed squared error); topk, batchtopk: 0"},
                         {"k", true, "topk: active latents per input; batchtopk: on average (5)"},
                         {"aux-k", true, "topk, batchtopk: weight of the AuxK loss on latents silent for more than 1000 steps (1; 0 = off)"},
                         {"steps", true, perSource("SAE training steps", [](const Defaults& d) { return std::to_string(d.steps); })},
                         {"batch", true, perSource("batch size", [](const Defaults& d) { return std::to_string(d.batch); })},
                         {"threads", true, "threads sharing each batch (default 1, as the PyTorch reference)"},
                         {"lr", true, perSource("Adam learning rate", [](const Defaults& d) { return number(d.learningRate); })},
                         {"lr-schedule", true, "constant (default) or cosine: the learning rate between warm-up and decay (cosine anneals from --lr to --lr-end)"},
                         {"lr-warmup", true, "steps of linear learning-rate warm-up from lr/N to lr (0)"},
                         {"lr-decay", true, "final steps of linear learning-rate decay to 0 (0)"},
                         {"lr-end", true, "learning rate the cosine phase ends at and the decay starts from (lr/10)"},
                         {"l1-warmup", true, "steps over which the sparsity coefficient grows linearly to its value (2024: 5 % of the steps; others 0)"},
                         {"seed", true, "random seed (0)"},
                         {"normalize", true, "on|off: scale inputs so E|x| = sqrt(d) (on for fashion-mnist and 2024)"},
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
                         {"save-diverged", false, "--save even when training diverged (not saved by default)"},
                         {"codes", true, "write the codes of the evaluation inputs to FILE.npy ([N, d_sae] f32)"},
                         {"features-csv", true, "write per-feature density, max activation, purity, coherence to FILE"},
                         {"export-activations", true, "write the evaluation inputs (and labels, images) to FILE (.npy, .npz, .safetensors)"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText() << kMetricDefinitions;
        return 0;
    }
    const std::string sourceName = args.text("source", args.has("activations") ? "file" : "synthetic");
    const bool file = sourceName == "file";
    if (args.has("sae"))
        return evaluateImportedSae(args);
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
        (args.has("zipf") || args.has("hierarchy") || args.has("child-probability") || args.has("exclusive-children")))
        throw InputError("--zipf, --hierarchy, --child-probability and --exclusive-children need --source synthetic");
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
    if (fashion) {
        config.dataDirectory = args.text("data-dir", config.dataDirectory);
        config.mlpEpochs = int(args.integer("mlp-epochs", config.mlpEpochs, 1, 1000));
        config.randomized = args.flag("randomized");
    }
    if (file) {
        auto imported = std::make_shared<ImportedActivations>(loadActivations(args));
        config.importOptions.arrayName = args.text("array");
        config.importOptions.labelsName = args.text("labels");
        config.imported = std::move(imported);
    }
    SaeConfig& sae = config.sae;
    sae.variant = saeVariantFromName(args.text("variant", "tm2023"));
    sae.latentDim = int(args.integer("d-sae", defaults.latents, 1, 1 << 20));
    sae.l1 = args.number("l1", SaeExperimentConfig::defaultL1(source, sae.variant, config.inputDimension()), 0.0, 1e3);
    sae.k = int(args.integer("k", 5, 1, sae.latentDim));
    sae.auxK = args.number("aux-k", sae.auxK, 0.0, 1e6);
    sae.tiedEncoder = args.flag("tied");
    if (args.has("aux-k") && !sae.selectsTopK())
        throw InputError("--aux-k applies to --variant topk and batchtopk");
    if (args.has("sparsity-loss")) {
        const std::string loss = args.text("sparsity-loss");
        if (sae.variant != SaeVariant::JumpReLU)
            throw InputError("--sparsity-loss applies to --variant jumprelu");
        if (loss != "step" && loss != "tanh")
            throw InputError("option --sparsity-loss expects step or tanh, got '" + loss + "'");
        sae.jumpSparsity = loss == "tanh" ? SaeJumpSparsity::Tanh : SaeJumpSparsity::Step;
    }
    const std::string normalize = args.text("normalize", defaults.normalize ? "on" : "off");
    if (normalize != "on" && normalize != "off")
        throw InputError("option --normalize expects on or off, got '" + normalize + "'");
    sae.normalizeInputs = normalize == "on";
    if ((sae.variant == SaeVariant::Anthropic2024 || sae.variant == SaeVariant::JumpReLU) && !sae.normalizeInputs &&
        args.has("normalize"))
        throw InputError("the " + saeVariantName(sae.variant) +
                         " variant always normalises its inputs (--normalize off is not possible)");
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

    // The experiment the panel runs, with the same seed streams: the same numbers.
    SaeSourceFactory sources;
    const SaeRunResult run = SaeExperiment::train(config, sources, ProgressReporter());
    nlohmann::json out = run.toJson(config);
    const SaeEvaluator& evaluator = *run.evaluator;
    const SaeDictionaryMetrics& m = evaluator.metrics();
    // The experiment marks a run whose loss or metrics overflowed as diverged.
    const bool diverged = run.status == TrainingStatus::Diverged;
    writeOutputs(args, out, evaluator, *run.sae);
    if (args.has("save") && (!diverged || args.flag("save-diverged"))) {
        const nlohmann::json metadata = {
            {"featurescope", {{"source", sourceName}, {"config", config.saeConfig()}, {"training", training}}}};
        SaeLensExporter::write(args.text("save"), *run.sae, metadata, evaluator.densities());
        out["saved"] = args.text("save");
    }
    if (diverged)
        std::cerr << "featurescope sae: training diverged (" << run.message << ")"
                  << (args.has("save") && !args.flag("save-diverged") ? "; nothing saved (--save-diverged saves anyway)" : "")
                  << "\n";
    const SaeConfig& saeUsed = config.saeConfig();
    const Eigen::MatrixXf& truth = run.truth;
    const double meanActive = run.source.source->meanActiveFeatures();

    if (args.flag("json")) {
        std::cout << out.dump(2) << "\n";
        return diverged ? 1 : 0;
    }
    char line[512];
    std::cout << "SAE " << saeVariantName(saeUsed.variant) << " on " << sourceName
              << (out.contains("randomized") && out["randomized"].get<bool>() ? " (shuffled weights)" : "") << ": d_in "
              << saeUsed.inputDim << ", d_sae " << saeUsed.latentDim << ", " << run.stepsDone << " steps\n";
    std::snprintf(line, sizeof line, "  L0 %.2f   MSE %.4g   variance explained %.3f\n", m.l0, m.mse,
                  m.explainedVariance);
    std::cout << line;
    std::snprintf(line, sizeof line,
                  "  dead %.1f %%   ultra-rare (< %.2g) %.1f %%   dense (> %.3g) %.1f %%   over %lld %s inputs; silent on "
                  "the evaluation inputs %.1f %%\n",
                  100.0 * m.deadFraction, m.ultraRareThreshold, 100.0 * m.ultraRareFraction, m.denseThreshold,
                  100.0 * m.denseFraction, static_cast<long long>(m.healthInputs),
                  m.healthFromTraining() ? "training" : "evaluation", 100.0 * m.silentFraction);
    std::cout << line;
    if (m.hasMmcs()) {
        std::snprintf(line, sizeof line, "  MMCS %.4f   MCC %.4f against %d true features (mean active %.2f)\n",
                      m.mmcs, m.mcc, int(truth.cols()), meanActive);
        std::cout << line;
    }
    if (m.hasDetection()) {
        std::snprintf(line, sizeof line, "  matched latents: precision %.3f   recall %.3f   F1 %.3f   shrinkage %.3f\n",
                      m.precisionMean, m.recallMean, m.f1Mean, m.shrinkage);
        std::cout << line;
    }
    if (m.hasLabelPurity()) {
        if (out.contains("mlp_test_accuracy"))
            std::snprintf(line, sizeof line, "  mean label purity %.4f   mean coherence %.4f   MLP accuracy %.2f %%\n",
                          m.meanLabelPurity, m.meanCoherence, 100.0 * out["mlp_test_accuracy"].get<double>());
        else
            std::snprintf(line, sizeof line, "  mean label purity %.4f   mean coherence %.4f\n", m.meanLabelPurity,
                          m.meanCoherence);
        std::cout << line;
    }
    std::snprintf(line, sizeof line, "  %.1f steps/s (%.1f GFLOP/s dense-equivalent)\n", run.stepsPerSecond,
                  run.stepsPerSecond * run.denseFlopsPerStep / 1e9);
    std::cout << line;
    if (!run.message.empty())
        std::cout << "  " << run.message << "\n";
    return diverged ? 1 : 0;
}
