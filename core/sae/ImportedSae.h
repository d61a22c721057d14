#pragma once

#include "sae/SaeInputNormalizer.h"
#include "sae/SaeLensConfig.h"
#include "sae/SparseAutoencoder.h"

#include <Eigen/Core>

#include <optional>
#include <string>

namespace featurescope {

// A sparse autoencoder trained elsewhere (SAELens), run exactly as SAELens's forward pass does, in float32:
//     x' = norm_in(x)   (identity, constant_norm_rescale: x·√d_in/‖x‖, or layer_norm: (x − μ)/(σ + 1e-5))
//     pre = (x' − b_dec·apply_b_dec_to_input) W_enc + b_enc            (SAELens's row-vector convention)
//     topk with rescale_acts_by_decoder_norm: pre ·= ‖W_dec,j‖
//     f = ReLU(pre) (standard; tanh(ReLU(pre)) for pre-6 tanh-relu), pre·[pre > max(θ, 0)] (jumprelu), or the k
//         largest pre then ReLU (topk; ties go to the lower index, torch.topk leaves them unspecified)
//     x̂ = norm_out((f ⊙ s_ft / ‖W_dec‖?) W_dec + b_dec)   (s_ft: pre-6 finetuning scaling factor)
// Matrices follow featurescope's column convention (one input per column, as SparseAutoencoder and EvaluationSet):
// encoderWeights() is W_encᵀ (d_sae x d_in), decoderWeights() is W_decᵀ (d_in x d_sae, column j = feature j's
// direction). Immutable and safe to use from several threads.
class ImportedSae {
public:
    ImportedSae() = default;
    // Throws InputError when the shapes do not match `config` or a parameter is not finite.
    ImportedSae(SaeLensConfig config, Eigen::MatrixXf encoder, Eigen::VectorXf encoderBias, Eigen::MatrixXf decoder,
                Eigen::VectorXf decoderBias, Eigen::VectorXf threshold = {}, Eigen::VectorXf finetuningScale = {});

    // The SAELens equivalent of one of our autoencoders (the input scale folded into the weights).
    static ImportedSae fromSparseAutoencoder(const SparseAutoencoder& sae, const std::string& hookName = {});

    const SaeLensConfig& config() const { return m_config; }
    int inputDim() const { return m_config.dIn; }
    int latentDim() const { return m_config.dSae; }
    const Eigen::MatrixXf& encoderWeights() const { return m_encoder; }   // W_encᵀ, d_sae x d_in
    const Eigen::VectorXf& encoderBias() const { return m_encoderBias; } // b_enc
    const Eigen::MatrixXf& decoderWeights() const { return m_decoder; }   // W_decᵀ, d_in x d_sae
    const Eigen::VectorXf& decoderBias() const { return m_decoderBias; } // b_dec
    const Eigen::VectorXf& threshold() const { return m_threshold; }     // jumprelu θ (else empty)
    const Eigen::VectorXf& finetuningScale() const { return m_finetuningScale; } // pre-6 (else empty)
    // log10 feature firing frequency from sparsity.safetensors (empty when the directory has none).
    const Eigen::VectorXf& logSparsity() const { return m_logSparsity; }
    void setLogSparsity(Eigen::VectorXf logSparsity); // throws InputError on a size mismatch

    // Pre-activations (after input normalisation and topk decoder-norm rescaling): d_sae x N for X d_in x N.
    Eigen::MatrixXf preActivations(const Eigen::MatrixXf& X) const;
    // Codes f, d_sae x N.
    Eigen::MatrixXf encode(const Eigen::MatrixXf& X) const;
    // Reconstructions d_in x N. With a per-input normalisation (constant_norm_rescale, layer_norm) this is in the
    // normalised space: use reconstruct() to get inputs back in their own units.
    Eigen::MatrixXf decode(const Eigen::MatrixXf& F) const;
    // The full forward pass: x̂ for every column of X (per-input normalisation undone); codes optionally.
    Eigen::MatrixXf reconstruct(const Eigen::MatrixXf& X, Eigen::MatrixXf* codes = nullptr) const;

    // The same function as one of our SparseAutoencoders, when it is one: standard (ReLU) or topk, with no
    // per-input normalisation (finetuning scale, decoder-norm rescaling and apply_b_dec_to_input are folded into
    // the weights; results equal up to float rounding). Otherwise nullopt and `reason` says why. SaeEvaluator (and
    // the feature browser) then run on it unchanged; ImportedSaeEvaluator covers every architecture.
    std::optional<SparseAutoencoder> toSparseAutoencoder(std::string* reason = nullptr) const;

private:
    // Per-input normalisation as SAELens does it (SaeInputNormalizer, which our own SAEs train with).
    SaeInputNormalizer::Undo normaliseInputs(Eigen::MatrixXf& X) const;
    Eigen::MatrixXf preActivationsNormalised(const Eigen::MatrixXf& normalisedX) const;
    void activate(Eigen::MatrixXf& pre) const;

    SaeLensConfig m_config;
    Eigen::MatrixXf m_encoder;
    Eigen::VectorXf m_encoderBias;
    Eigen::MatrixXf m_decoder;
    Eigen::VectorXf m_decoderBias;
    Eigen::VectorXf m_threshold;
    Eigen::VectorXf m_finetuningScale;
    Eigen::VectorXf m_decoderNorms; // ‖W_dec,j‖ for topk rescaling
    Eigen::VectorXf m_logSparsity;
};

} // namespace featurescope
