#include "lmfeatures/LmControlExperiment.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/GptHookPoint.h"
#include "lm/LanguageModel.h"
#include "lm/LmHarvester.h"
#include "lm/SpliceEvaluation.h"
#include "lmfeatures/FeatureDashboard.h"
#include "sae/ImportedSae.h"
#include "sae/MatrixActivationSource.h"
#include "sae/SaeTrainer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <limits>

namespace featurescope {

namespace {

// L0 and explained variance are measured on at most this many held-out positions (they settle long before).
constexpr std::uint64_t kMetricTokens = 8192;

// A session's number: finite, or null for a score that had no meaning (NaN when written).
double numberAt(const nlohmann::json& j, const char* key, const std::string& where)
{
    const auto it = j.find(key);
    if (it == j.end())
        throw InputError(where + " has no " + key);
    if (it->is_null())
        return std::numeric_limits<double>::quiet_NaN();
    if (!it->is_number() || !std::isfinite(it->get<double>()))
        throw InputError(where + "." + key + " is not a number");
    return it->get<double>();
}

} // namespace

std::string LmControlArm::name() const { return control ? TransformerRandomizer::name(*control) : "trained"; }

nlohmann::json LmControlResult::toJson() const
{
    auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    return {{"arm", arm},
            {"keep_embeddings", keepEmbeddings},
            {"ce_clean", number(ceClean)},
            {"ce_sae", number(ceSae)},
            {"ce_ablated", number(ceAblated)},
            {"ce_loss_score", number(ceLossScore)},
            {"kl_score", number(klScore)},
            {"proxies", proxies.toJson()},
            {"l0", number(l0)},
            {"explained_variance", number(explainedVariance)},
            {"training_steps", trainingSteps},
            {"seconds", seconds}};
}

LmControlResult LmControlResult::fromJson(const nlohmann::json& j)
{
    const std::string where = "lm control result";
    if (!j.is_object())
        throw InputError(where + " is not an object");
    LmControlResult r;
    const auto arm = j.find("arm");
    if (arm == j.end() || !arm->is_string() ||
        (arm->get<std::string>() != "trained" && arm->get<std::string>() != "shuffle" &&
         arm->get<std::string>() != "reinit" && arm->get<std::string>() != "untrained"))
        throw InputError(where + ".arm is not trained, shuffle, reinit or untrained");
    r.arm = arm->get<std::string>();
    if (const auto keep = j.find("keep_embeddings"); keep != j.end()) {
        if (!keep->is_boolean())
            throw InputError(where + ".keep_embeddings is not true or false");
        r.keepEmbeddings = keep->get<bool>();
    }
    r.ceClean = numberAt(j, "ce_clean", where);
    r.ceSae = numberAt(j, "ce_sae", where);
    r.ceAblated = numberAt(j, "ce_ablated", where);
    r.ceLossScore = numberAt(j, "ce_loss_score", where);
    r.klScore = numberAt(j, "kl_score", where);
    r.l0 = numberAt(j, "l0", where);
    r.explainedVariance = numberAt(j, "explained_variance", where);
    r.trainingSteps = int(numberAt(j, "training_steps", where));
    r.seconds = numberAt(j, "seconds", where);
    const auto p = j.find("proxies");
    if (p == j.end() || !p->is_object())
        throw InputError(where + ".proxies is not an object");
    const std::string pw = where + ".proxies";
    r.proxies.liveFeatures = int(numberAt(*p, "live_features", pw));
    r.proxies.deadFraction = numberAt(*p, "dead_fraction", pw);
    r.proxies.tokenExplainedVariance = numberAt(*p, "token_explained_variance", pw);
    r.proxies.distinctTopTokens = numberAt(*p, "distinct_top_tokens", pw);
    r.proxies.meanDensity = numberAt(*p, "mean_density", pw);
    const double logit = numberAt(*p, "logit_concentration", pw);
    r.proxies.logitConcentration = std::isfinite(logit) ? logit : -1.0;
    return r;
}

std::pair<std::string, std::string> LmControlExperiment::splitHeldOut(const std::string& text)
{
    const std::size_t heldOut = std::min<std::size_t>(text.size() / 5, 1 << 20);
    return {text.substr(0, text.size() - heldOut), text.substr(text.size() - heldOut)};
}

LmControlExperiment::LmControlExperiment(std::shared_ptr<const LanguageModel> lm, const std::string& corpusText,
                                         LmControlSettings settings)
    : m_lm(std::move(lm)), m_settings(std::move(settings))
{
    const GptConfig& config = m_lm->model().config();
    const GptHookPoint hook = GptHookPoint::parse(m_settings.hook, config.layers);
    if (m_settings.context <= 0)
        m_settings.context = config.positions;
    if (m_settings.context > config.positions)
        throw InputError("context " + std::to_string(m_settings.context) + " is longer than the model's n_positions " +
                         std::to_string(config.positions));
    m_settings.sae.inputDim = hook.width(config);
    const auto [training, heldOut] = splitHeldOut(corpusText);
    m_trainingIds = m_lm->tokenizer().encode(training);
    m_heldOutIds = m_lm->tokenizer().encode(heldOut);
    if (m_heldOutIds.size() > m_settings.evalTokens)
        m_heldOutIds.resize(std::size_t(m_settings.evalTokens));
}

std::vector<LmControlArm> LmControlExperiment::standardArms(std::uint64_t seed, bool keepEmbeddings)
{
    using C = TransformerRandomizer::Control;
    return {LmControlArm{std::nullopt, seed, keepEmbeddings}, LmControlArm{C::Shuffle, seed, keepEmbeddings},
            LmControlArm{C::Reinit, seed, keepEmbeddings}, LmControlArm{C::Untrained, seed, keepEmbeddings}};
}

LmControlResult LmControlExperiment::run(const LmControlArm& arm, const ProgressReporter* progress) const
{
    const auto start = std::chrono::steady_clock::now();
    const ProgressReporter root;
    const ProgressReporter& parent = progress ? *progress : root;
    // Every stage names the arm: its trainer and scanners report only what they do.
    const std::string name = arm.name();
    const ProgressReporter harvestStage(parent, 0.0, 0.1, name), spliceStage(parent, 0.8, 0.9, name),
        scanStage(parent, 0.9, 1.0, name);
    ProgressReporter trainStage(parent, 0.1, 0.8, name);
    auto checkCancel = [&] {
        if (parent.isCancelled())
            throw Cancelled();
    };

    // The randomized copy lives only for this arm; the trained arm reads the model itself.
    std::shared_ptr<const LanguageModel> lm = m_lm;
    if (arm.control) {
        auto copy = std::make_shared<LanguageModel>(*m_lm);
        TransformerRandomizer::apply(copy->model().weights(), *arm.control, arm.seed, arm.keepEmbeddings);
        lm = std::move(copy);
    }
    const GptHookPoint hook = GptHookPoint::parse(m_settings.hook, lm->model().config().layers);
    const int context = m_settings.context;
    const bool bos = lm->tokenizer().bosId().has_value();

    parent.report(0.0, arm.name() + ": harvesting " + hook.name());
    EvaluationSet data;
    data.activations = LmHarvester::collect(*lm, m_trainingIds, hook, context, m_settings.tokens, true, &harvestStage);
    const MatrixActivationSource source(std::move(data), "lm " + hook.name());
    SaeTrainer trainer(m_settings.sae, m_settings.training, source);
    parent.report(0.1, arm.name() + ": training the SAE");
    trainer.run(&trainStage); // the stage sees the parent's cancel flag
    checkCancel();

    const ImportedSae sae = ImportedSae::fromSparseAutoencoder(trainer.autoencoder(), hook.name());
    TransformerLensProcessing processing = TransformerLensProcessing::raw();
    processing.prependBos = bos;
    const SpliceEvaluation::Replacement replace = [&sae](RowMatrixMap activation) {
        const Eigen::MatrixXf inputs = activation.transpose();
        activation = sae.reconstruct(inputs).transpose();
    };
    parent.report(0.8, arm.name() + ": splicing the SAE in");
    const SpliceScores s = SpliceEvaluation::evaluate(lm->model(), hook, replace, m_heldOutIds, context, 8, &spliceStage,
                                                      processing, lm->tokenizer().bosId());
    LmControlResult r;
    r.arm = arm.name();
    r.keepEmbeddings = arm.control && arm.keepEmbeddings;
    r.ceClean = s.ceClean;
    r.ceSae = s.ceSpliced;
    r.ceAblated = s.ceAblated;
    r.ceLossScore = s.ceLossScore;
    r.klScore = s.klDivScore;
    r.trainingSteps = trainer.stepsDone();

    parent.report(0.9, arm.name() + ": measuring the features");
    FeatureDashboard dashboard(*lm, sae, hook, processing);
    DashboardSettings scan;
    scan.context = context;
    scan.maxTokens = m_settings.evalTokens;
    dashboard.scan(m_heldOutIds, scan, &scanStage);
    r.proxies = InterpretabilityProxies::measure(dashboard);

    const Eigen::MatrixXf X = LmHarvester::collect(*lm, m_heldOutIds, hook, context,
                                                   std::min(m_settings.evalTokens, kMetricTokens), true);
    Eigen::MatrixXf codes;
    const Eigen::MatrixXf reconstruction = sae.reconstruct(X, &codes);
    r.l0 = double((codes.array() != 0.0f).count()) / double(X.cols());
    const double total = (X.colwise() - X.rowwise().mean()).squaredNorm();
    r.explainedVariance = total > 0.0 ? 1.0 - double((X - reconstruction).squaredNorm()) / total : 0.0;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    parent.report(1.0, arm.name() + ": done");
    return r;
}

std::vector<LmControlResult> LmControlExperiment::runAll(std::uint64_t seed, bool keepEmbeddings,
                                                         const ProgressReporter* progress) const
{
    const ProgressReporter root;
    const ProgressReporter& parent = progress ? *progress : root;
    const std::vector<LmControlArm> arms = standardArms(seed, keepEmbeddings);
    std::vector<LmControlResult> results;
    for (std::size_t i = 0; i < arms.size(); ++i) {
        const ProgressReporter stage(parent, double(i) / double(arms.size()), double(i + 1) / double(arms.size()));
        results.push_back(run(arms[i], &stage));
    }
    return results;
}

} // namespace featurescope
