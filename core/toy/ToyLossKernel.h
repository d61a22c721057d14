#pragma once

#include "toy/ToyInstance.h"
#include "toy/ToyModelConfig.h"

#include <Eigen/Core>

#include <vector>

namespace featurescope {

// Loss and exact gradient of one toy-model instance on a batch X (batch x n, column-major).
//   L = mean over batch and features of I_i (target_i - x'_i)²
// Two implementations of the same arithmetic: a fused kernel that streams chunks of the batch through L1 (fast when
// n·m is small, where GEMM set-up would dominate), and Eigen GEMMs (fast for large n·m). `Path::Automatic` picks.
class ToyLossKernel {
public:
    enum class Path { Automatic, Fused, Gemm };

    ToyLossKernel(const ToyModelConfig& config, int instance, int batch, Path path = Path::Automatic);

    // Returns L; when `gradient` is given, writes dL/dW, dL/ddecoder (untied only) and dL/db into it.
    double evaluate(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient);

    // Streaming (fused path only): the trainer feeds a batch as slabs of rows (column-major, `rows` x n), each
    // sampled just before so it is still in L2 instead of a whole batch written out to L3 and read back. The rows of
    // all slabs make up the batch; finishBatch returns L as evaluate() would.
    bool acceptsSlabs() const { return m_path == Path::Fused; }
    void beginBatch(ToyInstance* gradient);
    void accumulateSlab(const ToyInstance& params, const float* X, int rows, ToyInstance* gradient);
    double finishBatch(ToyInstance* gradient);

    Path path() const { return m_path; }
    // Floating-point operations of one evaluate() with gradient, counted as dense GEMMs (for FLOP/s reports).
    double denseFlopsPerStep() const;

private:
    void zeroGradient(ToyInstance* gradient) const; // sized and zeroed (no-op for null)
    double evaluateGemm(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient);

    int m_features;
    int m_hidden;
    int m_batch;
    bool m_hiddenRelu;
    bool m_outputRelu;
    bool m_absoluteTarget;
    bool m_tied;
    Path m_path;
    std::vector<float> m_importance;  // I_i
    std::vector<float> m_coefficient; // 2 I_i / (batch · n)
    // Work space, allocated once.
    Eigen::MatrixXf m_H, m_Z, m_P, m_decoderGradient;
    std::vector<float __attribute__((vector_size(64)))> m_vectorWork;
    std::size_t m_vectorWorkSize = 0;
    std::vector<int> m_activeFeatures;
    int m_rowsSeen = 0;
};

} // namespace featurescope
