#include "sae/SaeConfig.h"

#include "common/InputError.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>

namespace featurescope {

std::string saeVariantName(SaeVariant variant)
{
    switch (variant) {
    case SaeVariant::TM2023: return "tm2023";
    case SaeVariant::Anthropic2024: return "2024";
    case SaeVariant::TopK: return "topk";
    case SaeVariant::BatchTopK: return "batchtopk";
    case SaeVariant::JumpReLU: return "jumprelu";
    case SaeVariant::Matryoshka: return "matryoshka";
    }
    return "tm2023";
}

std::string saeJumpSparsityName(SaeJumpSparsity sparsity)
{
    switch (sparsity) {
    case SaeJumpSparsity::Step: return "step";
    case SaeJumpSparsity::Tanh: return "tanh";
    case SaeJumpSparsity::Quadratic: return "quadratic";
    }
    return "step";
}

SaeJumpSparsity saeJumpSparsityFromName(const std::string& name)
{
    for (auto s : {SaeJumpSparsity::Step, SaeJumpSparsity::Tanh, SaeJumpSparsity::Quadratic})
        if (saeJumpSparsityName(s) == name)
            return s;
    throw InputError("unknown JumpReLU sparsity loss '" + name + "' (expected step, tanh or quadratic)");
}

std::string SaeConfig::normalizationName() const
{
    switch (perInputNormalization) {
    case SaeInputNormalization::ConstantNormRescale: return "constant_norm_rescale";
    case SaeInputNormalization::LayerNorm: return "layer_norm";
    case SaeInputNormalization::None: break;
    }
    return normalizesInputs() ? "expected_average_only_in" : "none";
}

std::vector<int> SaeConfig::matryoshkaLevels() const
{
    std::vector<int> levels = matryoshkaWidths;
    if (levels.empty() || levels.back() != latentDim)
        levels.push_back(latentDim);
    return levels;
}

SaeVariant saeVariantFromName(const std::string& name)
{
    for (auto v : {SaeVariant::TM2023, SaeVariant::Anthropic2024, SaeVariant::TopK, SaeVariant::BatchTopK,
                   SaeVariant::JumpReLU, SaeVariant::Matryoshka})
        if (saeVariantName(v) == name)
            return v;
    throw InputError("unknown SAE variant '" + name +
                     "' (expected tm2023, 2024, topk, batchtopk, jumprelu or matryoshka)");
}

std::string saeLrScheduleName(SaeLrSchedule schedule)
{
    return schedule == SaeLrSchedule::Cosine ? "cosine" : "constant";
}

SaeLrSchedule saeLrScheduleFromName(const std::string& name)
{
    if (name == "constant")
        return SaeLrSchedule::Constant;
    if (name == "cosine" || name == "cosineannealing")
        return SaeLrSchedule::Cosine;
    throw InputError("unknown learning-rate schedule '" + name + "' (expected constant or cosine)");
}

void SaeConfig::validate() const
{
    if (inputDim < 1 || inputDim > 65536)
        throw InputError("the SAE input dimension must be between 1 and 65536 (got " + std::to_string(inputDim) + ")");
    if (latentDim < 1 || latentDim > 1 << 20)
        throw InputError("the SAE latent count d_sae must be between 1 and 1048576 (got " + std::to_string(latentDim) +
                         ")");
    if (double(inputDim) * latentDim > 2.0e8)
        throw InputError("d_in x d_sae must be at most 2e8 (got " +
                         std::to_string(static_cast<long long>(inputDim) * latentDim) + ")");
    if (!std::isfinite(l1) || l1 < 0.0 || l1 > 1e6)
        throw InputError("the sparsity penalty l1 must be finite, non-negative and at most 1e6");
    if (!std::isfinite(auxK) || auxK < 0.0 || auxK > 1e6)
        throw InputError("the AuxK coefficient must be finite, non-negative and at most 1e6");
    if (!(jumpInitThreshold > 0.0 && jumpInitThreshold < 1e6) || !(jumpBandwidth > 0.0 && jumpBandwidth < 1e6) ||
        !(jumpTanhScale > 0.0 && jumpTanhScale < 1e6))
        throw InputError("JumpReLU needs a positive finite initial threshold, bandwidth and tanh scale");
    if (!std::isfinite(thresholdRate) || thresholdRate <= 0.0 || thresholdRate > 1.0)
        throw InputError("the BatchTopK threshold rate must be in (0, 1]");
    if (variant == SaeVariant::JumpReLU && jumpSparsity == SaeJumpSparsity::Quadratic &&
        !(jumpTargetL0 > 0.0 && jumpTargetL0 <= latentDim))
        throw InputError("the quadratic sparsity loss needs a target L0 in (0, d_sae]");
    if (variant == SaeVariant::Matryoshka) {
        if (matryoshkaWidths.size() > 64)
            throw InputError("Matryoshka takes at most 64 prefix widths");
        for (std::size_t i = 0; i < matryoshkaWidths.size(); ++i) {
            const int w = matryoshkaWidths[i];
            if (w < 1 || w > latentDim || (i > 0 && w <= matryoshkaWidths[i - 1]))
                throw InputError("Matryoshka widths must be strictly increasing whole numbers between 1 and d_sae (" +
                                 std::to_string(latentDim) + ")");
        }
    }
    if (selectsTopK() && (k < 1 || k > latentDim))
        throw InputError(saeVariantName(variant) + " needs 1 <= k <= d_sae (got k = " + std::to_string(k) + ", d_sae = " +
                         std::to_string(latentDim) + ")");
}

void SaeTrainingConfig::validate(const SaeConfig& sae) const
{
    sae.validate();
    if (steps < 0 || steps > 100000000)
        throw InputError("steps must be between 0 and 1e8 (got " + std::to_string(steps) + ")");
    if (batch < 1 || batch > 1 << 20)
        throw InputError("batch must be between 1 and 1048576 (got " + std::to_string(batch) + ")");
    if (!std::isfinite(learningRate) || learningRate <= 0.0 || learningRate > 10.0)
        throw InputError("the learning rate must be finite, positive and at most 10");
    if (!std::isfinite(l1WarmupFraction) || l1WarmupFraction < 0.0 || l1WarmupFraction > 1.0)
        throw InputError("the l1 warm-up fraction must be in [0, 1]");
    if (deadWindow < 1)
        throw InputError("the dead-feature window must be at least 1 step");
    if (lrWarmupSteps < 0 || lrDecaySteps < 0 || std::int64_t(lrWarmupSteps) + lrDecaySteps > steps)
        throw InputError("the learning rate's warm-up and decay steps must be non-negative and together at most the "
                         "training steps (" + std::to_string(steps) + ")");
    if (!std::isfinite(lrEnd) || lrEnd > learningRate)
        throw InputError("the final learning rate must be finite and at most the learning rate");
    if (lrDecaySteps > 0 && lrSchedule == SaeLrSchedule::Cosine && lrEnd == 0.0)
        throw InputError("a decay after cosine annealing to a final learning rate of 0 would decay from 0 to 0: set "
                         "a final learning rate above 0 or no decay");
    if (l1WarmupSteps > steps)
        throw InputError("the penalty's warm-up steps must be at most the training steps (" + std::to_string(steps) +
                         ")");
    if (threads < 1 || threads > 64)
        throw InputError("threads must be between 1 and 64 (got " + std::to_string(threads) + ")");
    if (resampleInputs < 1 || resampleInputs > 1 << 24 || initInputs < 1 || initInputs > 1 << 24)
        throw InputError("resample and init input counts must be between 1 and 16777216");
    for (int s : resampleSteps)
        if (s < 1)
            throw InputError("resample steps must be positive");
    // Working set: pre-activations and dL/dpre (d_sae x batch), the active-pair lists (up to d_sae x batch, two
    // arrays), the batch and residuals, and parameters, Adam moments and gradients.
    const double bytes = 4.0 * (4.0 * double(sae.latentDim) * batch + 4.0 * double(sae.inputDim) * batch +
                                6.0 * 2.0 * double(sae.inputDim) * sae.latentDim);
    if (bytes > 4.0e9)
        throw InputError("this SAE configuration needs about " + std::to_string(static_cast<long long>(bytes / 1e6)) +
                         " MB of working memory (limit 4000 MB): reduce d_sae or batch");
}

void to_json(nlohmann::json& j, const SaeConfig& config)
{
    j = nlohmann::json{{"d_in", config.inputDim},
                       {"d_sae", config.latentDim},
                       {"variant", saeVariantName(config.variant)},
                       {"l1", config.l1},
                       {"normalize_inputs", config.normalizesInputs()},
                       {"normalize_activations", config.normalizationName()}};
    if (config.selectsTopK()) {
        j["k"] = config.k;
        j["aux_k"] = config.auxK;
    }
    if (config.selectsOverBatch())
        j["threshold_rate"] = config.thresholdRate;
    if (config.variant == SaeVariant::Matryoshka)
        j["matryoshka_widths"] = config.matryoshkaLevels();
    if (config.tiedEncoder)
        j["tied"] = true;
    if (config.variant == SaeVariant::JumpReLU) {
        j["sparsity_loss"] = saeJumpSparsityName(config.jumpSparsity);
        if (config.jumpSparsity == SaeJumpSparsity::Quadratic)
            j["target_l0"] = config.jumpTargetL0;
        j["init_threshold"] = config.jumpInitThreshold;
        j["bandwidth"] = config.jumpBandwidth;
        if (config.jumpSparsity == SaeJumpSparsity::Tanh)
            j["tanh_scale"] = config.jumpTanhScale;
    }
}

void to_json(nlohmann::json& j, const SaeTrainingConfig& config)
{
    j = nlohmann::json{{"steps", config.steps},
                       {"batch", config.batch},
                       {"learning_rate", config.learningRate},
                       {"seed", config.seed},
                       {"l1_warmup_fraction", config.l1WarmupFraction},
                       {"l1_warmup_steps", config.l1WarmupSteps},
                       {"lr_schedule", saeLrScheduleName(config.lrSchedule)},
                       {"lr_warmup_steps", config.lrWarmupSteps},
                       {"lr_decay_steps", config.lrDecaySteps},
                       {"lr_end", config.lrEnd >= 0.0 ? config.lrEnd : config.learningRate / 10.0},
                       {"resample_steps", config.resampleSteps},
                       {"dead_window", config.deadWindow},
                       {"threads", config.threads}};
}

} // namespace featurescope
