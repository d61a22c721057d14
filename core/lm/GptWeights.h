#pragma once

#include "lm/GptConfig.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixMap = Eigen::Map<RowMatrixF>;
using ConstRowMatrixMap = Eigen::Map<const RowMatrixF>;
using RowVectorMap = Eigen::Map<Eigen::RowVectorXf>;
using ConstRowVectorMap = Eigen::Map<const Eigen::RowVectorXf>;

// Every parameter of a GPT-2 model in one flat float array (so AdamW, gradient clipping and the NaN guard see one
// vector, and a gradient is simply another GptWeights of the same config). Matrices are row-major in the Hugging
// Face orientation: Conv1D weights [in, out], wte [vocab, d], wpe [positions, d]; the unembedding is tied to wte.
class GptWeights {
public:
    enum class Kind {
        TokenEmbedding, PositionEmbedding, FinalNormGain, FinalNormBias,
        // per layer
        Norm1Gain, Norm1Bias, AttnWeight, AttnBias, AttnProjWeight, AttnProjBias,
        Norm2Gain, Norm2Bias, FcWeight, FcBias, MlpProjWeight, MlpProjBias
    };
    struct Tensor {
        std::string name; // Hugging Face GPT-2 name without the "transformer." prefix
        Kind kind;
        int layer = -1;
        int rows = 0;
        int cols = 1;      // 1 for vectors
        bool isVector = false;
        std::size_t offset = 0;
        std::size_t size() const { return std::size_t(rows) * std::size_t(cols); }
    };

    GptWeights() = default;
    explicit GptWeights(const GptConfig& config); // all zero

    const GptConfig& config() const { return m_config; }
    const std::vector<Tensor>& tensors() const { return m_tensors; }
    float* data() { return m_values.data(); }
    const float* data() const { return m_values.data(); }
    std::size_t size() const { return m_values.size(); }
    void setZero();

    RowMatrixMap matrix(Kind kind, int layer = -1);
    ConstRowMatrixMap matrix(Kind kind, int layer = -1) const;
    // Gains and biases as row vectors (1 x n); for matrices, all values as one row.
    RowVectorMap row(Kind kind, int layer = -1);
    ConstRowVectorMap row(Kind kind, int layer = -1) const;
    const Tensor& tensor(Kind kind, int layer = -1) const;

    // GPT-2's initialisation: matrices and embeddings N(0, 0.02) (residual projections scaled by 1/sqrt(2 L)),
    // gains 1, biases 0.
    void initialize(std::uint64_t seed);

    // Reads model.safetensors (F32, F16 or BF16; names may carry "transformer."; attn.bias/masked_bias buffers and
    // lm_head.weight equal to wte are ignored). Every tensor's shape is checked against `config` before anything
    // is allocated; a missing, extra-layer or misshapen tensor is one InputError naming the file.
    static GptWeights load(const std::string& path, const GptConfig& config, const ProgressReporter* progress = nullptr);
    // Writes F32 tensors under GPT-2's names (atomic).
    void save(const std::string& path) const;

private:
    std::size_t indexOf(Kind kind, int layer) const;

    GptConfig m_config;
    std::vector<Tensor> m_tensors;
    std::vector<float> m_values;
};

} // namespace featurescope
