#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

// The three sparse-autoencoder recipes of docs/ARCHITECTURE.md §5.
enum class SaeVariant {
    TM2023,        // Towards Monosemanticity: pre-encoder bias, unit-norm decoder columns, L1 penalty
    Anthropic2024, // April 2024 update: no pre-encoder bias, penalty λΣ|f_i|·‖W_dec,i‖, E‖x‖ = √d, λ warm-up
    TopK,          // keep the k largest pre-activations (then ReLU), unit-norm decoder, no penalty
    // BatchTopK (Bussmann et al. 2024, as SAELens trains it): in training, the k·B largest positive pre-activations
    // of the whole batch of B inputs; at inference a JumpReLU whose threshold θ is the running average of the
    // smallest kept activation (θ ← (1 − r)θ + r·min, r = thresholdRate). Otherwise as TopK.
    BatchTopK,
    // JumpReLU (Rajamanoharan et al. 2024, as SAELens trains it): f = pre · [pre > θ_j] with a learned threshold
    // θ_j = exp(log θ_j) per latent, trained through a straight-through estimator of bandwidth ε, and a sparsity loss
    // λ·L0 ("step", DeepMind) or λ Σ tanh(c f ‖W_dec‖) ("tanh", Anthropic). Unit-norm decoder as TM 2023.
    JumpReLU,
    // Matryoshka BatchTopK (Bussmann et al. 2025, as SAELens trains it): BatchTopK codes, and the reconstruction loss
    // summed over nested prefixes of the dictionary, prefix w decoding with only latents 0..w-1 (plus b_dec). Early
    // latents must reconstruct on their own, which pushes general (parent) features to the front and counters
    // absorption. AuxK and the inference threshold as BatchTopK; exported to SAELens as JumpReLU.
    Matryoshka,
};

// JumpReLU's sparsity loss. Quadratic: λ (L0 / L0_target − 1)², with L0 the batch's mean active count through the
// step estimator (a target-L0 penalty, after Gemma Scope 2; docs/SAE_RECIPES.md).
enum class SaeJumpSparsity { Step, Tanh, Quadratic };
std::string saeJumpSparsityName(SaeJumpSparsity sparsity);          // "step", "tanh", "quadratic"
SaeJumpSparsity saeJumpSparsityFromName(const std::string& name);   // throws InputError

// Per-input activation normalisation, SAELens's normalize_activations beyond the fixed scale ("expected_average_only_in",
// SaeConfig::normalizeInputs). The SAE sees x' = n(x); its reconstruction is un-normalised before the loss, so the loss
// is in the inputs' own units as in SAELens:
//   ConstantNormRescale: x' = x·√d_in/‖x‖, x̂ = x̂'·‖x‖/√d_in;
//   LayerNorm: x' = (x − μ)/(σ + 1e-5), x̂ = x̂'·σ + μ (μ, σ: the input's mean and unbiased standard deviation).
enum class SaeInputNormalization { None, ConstantNormRescale, LayerNorm };

std::string saeVariantName(SaeVariant variant); // "tm2023", "2024", "topk", "batchtopk", "jumprelu", "matryoshka"
SaeVariant saeVariantFromName(const std::string& name);        // throws InputError

// What the autoencoder is.
struct SaeConfig {
    int inputDim = 64;    // d_in
    int latentDim = 512;  // d_sae
    SaeVariant variant = SaeVariant::TM2023;
    double l1 = 3e-3;     // λ (TM2023, 2024; JumpReLU: the sparsity loss's coefficient); ignored by (Batch)TopK
    double thresholdRate = 0.01; // BatchTopK: the rate r of θ's running average (SAELens's topk_threshold_lr)
    // JumpReLU, SAELens's defaults: initial θ, the estimator's bandwidth ε, the sparsity loss and tanh's scale c.
    double jumpInitThreshold = 0.01;
    double jumpBandwidth = 0.05;
    SaeJumpSparsity jumpSparsity = SaeJumpSparsity::Step;
    double jumpTanhScale = 4.0;
    double jumpTargetL0 = 5.0; // the quadratic sparsity loss's target L0 (SAELens's target_l0)
    // Matryoshka: the nested prefix widths, strictly increasing; d_sae is appended when the last is smaller (SAELens's
    // matryoshka_widths, empty by default: then the one level d_sae, i.e. plain BatchTopK).
    std::vector<int> matryoshkaWidths;
    int k = 5;            // TopK: per input; BatchTopK: on average per input
    // TopK and BatchTopK: weight of the AuxK dead-latent loss (SAELens's aux_loss_coefficient, 1 by default; 0 turns it off).
    // docs/ARCHITECTURE.md §5.
    double auxK = 1.0;
    // Tied weights: W_enc = W_decᵀ throughout training (one shared matrix; the trainer sums both gradients). Removes
    // feature absorption on hierarchical features (Chanin et al. 2024), at the price of the encoder's freedom.
    bool tiedEncoder = false;
    // Scale inputs so that E‖x‖ = √d_in (always on for the 2024 and JumpReLU variants, opt-in for the others).
    bool normalizeInputs = false;
    // Per-input normalisation instead of the fixed scale (then normalizesInputs() is false for every variant).
    SaeInputNormalization perInputNormalization = SaeInputNormalization::None;

    // The 2024 recipe, and JumpReLU, whose SAELens defaults (θ 0.01, ε 0.05) assume inputs of norm about √d_in.
    bool normalizesInputs() const
    {
        return perInputNormalization == SaeInputNormalization::None &&
               (normalizeInputs || variant == SaeVariant::Anthropic2024 || variant == SaeVariant::JumpReLU);
    }
    // SAELens's normalize_activations name of this config: none, expected_average_only_in, constant_norm_rescale or
    // layer_norm.
    std::string normalizationName() const;
    bool subtractsDecoderBias() const { return variant != SaeVariant::Anthropic2024; }
    bool unitNormDecoder() const { return variant != SaeVariant::Anthropic2024; }
    // TopK or BatchTopK: sparsity from k, no penalty.
    bool selectsTopK() const { return variant == SaeVariant::TopK || selectsOverBatch(); }
    // BatchTopK and Matryoshka: the selection runs over the whole batch, and inference is a JumpReLU at a learned θ.
    bool selectsOverBatch() const { return variant == SaeVariant::BatchTopK || variant == SaeVariant::Matryoshka; }
    // Matryoshka: the prefix widths trained, the last one d_sae.
    std::vector<int> matryoshkaLevels() const;
    bool usesAuxK() const { return selectsTopK() && auxK > 0.0; }
    // JumpReLU: log θ per latent follows the other parameters (SparseAutoencoder's layout).
    bool learnsThresholds() const { return variant == SaeVariant::JumpReLU; }
    // k_aux: how many dead latents the AuxK loss uses per input, d_in / 2 (at least 1) as in SAELens.
    int auxKLatents() const { return inputDim / 2 > 0 ? inputDim / 2 : 1; }
    void validate() const; // throws InputError
};

// The learning rate's main phase between warm-up and decay (SAELens's lr_scheduler_name "constant" or
// "cosineannealing").
enum class SaeLrSchedule { Constant, Cosine };
std::string saeLrScheduleName(SaeLrSchedule schedule);       // "constant", "cosine"
SaeLrSchedule saeLrScheduleFromName(const std::string& name); // throws InputError

// How the loss and gradient are computed: dense GEMMs, or lists of active (sample, feature) pairs. Automatic picks
// per step from the fraction of active codes.
enum class SaeComputePath { Automatic, Dense, Sparse };

// How an autoencoder is trained.
struct SaeTrainingConfig {
    int steps = 5000;
    int batch = 1024;
    double learningRate = 1e-3;
    std::uint64_t seed = 0;
    double l1WarmupFraction = 0.05;  // 2024 variant: λ grows linearly from 0 over this fraction of the steps
    int l1WarmupSteps = -1;          // λ's warm-up in steps for any penalised recipe; < 0: the recipe's default
    // Learning-rate schedule (SaeSchedule): linear warm-up, main phase, linear decay to 0; lrEnd < 0 means lr / 10.
    SaeLrSchedule lrSchedule = SaeLrSchedule::Constant;
    int lrWarmupSteps = 0;
    int lrDecaySteps = 0;
    double lrEnd = -1.0;
    std::vector<int> resampleSteps;  // dead-feature resampling happens after these steps (TM: 25k, 50k, 75k, 100k)
    // A feature silent for this many steps counts as dead: resampling takes features silent for at least this many
    // steps, the TopK AuxK loss those silent for more than this many (SAELens's dead_feature_window, 1000 steps).
    int deadWindow = 1000;
    int resampleInputs = 8192;       // inputs scored by reconstruction loss to draw resampled directions from
    int initInputs = 4096;           // inputs used for b_dec (their mean) and the input scale
    SaeComputePath path = SaeComputePath::Automatic;
    // Each batch split over this many threads (data parallel: one loss kernel per part, gradients summed). 1 is the
    // reference's single thread; results depend on the thread count only through floating-point summation order.
    int threads = 1;

    void validate(const SaeConfig& sae) const; // throws InputError
};

void to_json(nlohmann::json& j, const SaeConfig& config);
void to_json(nlohmann::json& j, const SaeTrainingConfig& config);

} // namespace featurescope
