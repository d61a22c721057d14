#pragma once

#include "sae/SaeConfig.h"

#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace featurescope {

// A sparse autoencoder: f = act(W_enc (s·x − b_dec) + b_enc), x̂ = (W_dec f + b_dec) / s, with s the input scale
// (1 unless the config normalises inputs) and the b_dec subtraction only for variants with a pre-encoder bias.
// W_enc is d_sae x d_in, W_dec is d_in x d_sae (column i = feature i's direction, unit norm except for the 2024
// variant). All parameters live in one flat array, the layout Adam sees:
//     [ W_encᵀ (d_in x d_sae, column-major: column i = row i of W_enc) | b_enc | W_dec | b_dec | log θ (JumpReLU) ]
// so each feature's encoder row and decoder column are contiguous (fast sparse updates, cheap Adam resets).
class SparseAutoencoder {
public:
    using MatrixMap = Eigen::Map<Eigen::MatrixXf>;
    using ConstMatrixMap = Eigen::Map<const Eigen::MatrixXf>;
    using VectorMap = Eigen::Map<Eigen::VectorXf>;
    using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;
    // Over-aligned storage: Eigen's reductions over a map start at the first aligned element, so a fixed alignment
    // keeps the summation order, and with it the results, independent of where the heap put the array.
    using ParameterVector = std::vector<float, Eigen::aligned_allocator<float>>;

    SparseAutoencoder() = default;
    explicit SparseAutoencoder(const SaeConfig& config); // zero parameters; throws InputError on a bad config
    // W_enc, b_enc, W_dec, b_dec: 2·d_in·d_sae + d_sae + d_in values (JumpReLU: then log θ, d_sae more).
    static std::uint64_t parameterCount(const SaeConfig& config)
    {
        return 2 * std::uint64_t(config.inputDim) * std::uint64_t(config.latentDim) + std::uint64_t(config.latentDim) +
               std::uint64_t(config.inputDim) + (config.learnsThresholds() ? std::uint64_t(config.latentDim) : 0);
    }

    // Random unit decoder columns (norm 0.1 for the 2024 variant), W_enc = W_decᵀ, b_enc = 0, b_dec = `decoderBias`
    // (scaled units; empty means 0).
    void initialise(std::uint64_t seed, const Eigen::VectorXf& decoderBias = {});

    const SaeConfig& config() const { return m_config; }
    int inputDim() const { return m_config.inputDim; }
    int latentDim() const { return m_config.latentDim; }

    MatrixMap encoderColumns();                 // W_encᵀ, d_in x d_sae
    ConstMatrixMap encoderColumns() const;
    Eigen::MatrixXf encoderWeights() const;     // W_enc, d_sae x d_in (a copy)
    VectorMap encoderBias();
    ConstVectorMap encoderBias() const;
    MatrixMap decoderWeights();                 // W_dec, d_in x d_sae
    ConstMatrixMap decoderWeights() const;
    VectorMap decoderBias();                    // in scaled units
    ConstVectorMap decoderBias() const;

    float inputScale() const { return m_inputScale; }
    void setInputScale(float scale) { m_inputScale = scale; }
    // BatchTopK: the inference threshold θ on pre-activations (learned in training; not one of the parameters Adam
    // sees). Other variants ignore it.
    float threshold() const { return m_threshold; }
    void setThreshold(float threshold) { m_threshold = threshold; }

    ParameterVector& parameters() { return m_parameters; }
    const ParameterVector& parameters() const { return m_parameters; }
    std::size_t encoderOffset() const { return 0; }
    std::size_t encoderBiasOffset() const { return std::size_t(inputDim()) * latentDim(); }
    std::size_t decoderOffset() const { return encoderBiasOffset() + latentDim(); }
    std::size_t decoderBiasOffset() const { return decoderOffset() + std::size_t(inputDim()) * latentDim(); }
    std::size_t logThresholdOffset() const { return decoderBiasOffset() + std::size_t(inputDim()); }
    // JumpReLU: log θ per latent (empty map for the other variants); thresholds() = exp(log θ).
    VectorMap logThresholds();
    ConstVectorMap logThresholds() const;
    Eigen::VectorXf thresholds() const;

    // Codes of the inputs X (d_in x N, original units): d_sae x N. With a per-input normalisation
    // (SaeConfig::perInputNormalization) the inputs are normalised first (SaeInputNormalizer).
    Eigen::MatrixXf encode(const Eigen::MatrixXf& X) const;
    // Reconstructions of codes F (d_sae x N), in original units: d_in x N. With a per-input normalisation this is in
    // the normalised space (undoing it needs the inputs): use reconstruct().
    Eigen::MatrixXf decode(const Eigen::MatrixXf& F) const;
    // The full forward pass x ↦ x̂ in the inputs' own units for every normalisation; codes optionally.
    Eigen::MatrixXf reconstruct(const Eigen::MatrixXf& X, Eigen::MatrixXf* codes = nullptr) const;
    // Pre-activations W_enc (s·x − b_dec) + b_enc of scaled inputs (already multiplied by s).
    Eigen::MatrixXf preActivations(const Eigen::MatrixXf& scaledX) const;
    // The activation function applied to pre-activations, in place (ReLU, TopK + ReLU, or BatchTopK's inference
    // JumpReLU).
    void activate(Eigen::MatrixXf& pre) const;

    // Rescales every decoder column to unit norm (columns of norm ~0 are left as they are).
    void normaliseDecoder();
    Eigen::VectorXf decoderNorms() const;
    bool isFinite() const;

private:
    SaeConfig m_config;
    ParameterVector m_parameters;
    float m_inputScale = 1.0f;
    float m_threshold = 0.0f;
};

} // namespace featurescope
