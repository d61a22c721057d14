#include "cli/SaeCommand.h"
#include "cli/SaeLmCommand.h"
#include "cli/SaeOptions.h"

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
                               "mlp-epochs", "save", "save-diverged", "seed", "export-activations", "sparsity-loss", "tied",
                               "matryoshka-widths", "target-l0", "checkpoint-every", "checkpoint-dir", "resume"})
        if (args.has(option))
            throw InputError(std::string("--") + option + " does not apply to --sae (the SAE is evaluated, not trained)");
    const std::string directory = args.text("sae");
    const ImportedSae sae = SaeLensLoader::load(directory);
    ImportedActivations imported = SaeOptions::loadActivations(args);
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
    ArgumentParser args("sae", SaeOptions::list());
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText() << kMetricDefinitions;
        return 0;
    }
    if (args.has("sae"))
        return evaluateImportedSae(args);
    const std::string sourceName = SaeOptions::sourceName(args);
    SaeExperimentConfig config = SaeOptions::config(args);
    const SaeTrainingConfig& training = config.training;
    if (config.sae.variant == SaeVariant::Matryoshka && config.sae.matryoshkaLevels().size() == 1)
        std::cerr << "featurescope sae: note: matryoshka with the one prefix width d_sae is plain BatchTopK (SAELens's "
                     "default); give nested widths with --matryoshka-widths a,b,c\n";

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
