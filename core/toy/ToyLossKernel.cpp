#include "toy/ToyLossKernel.h"

#include <algorithm>
#include <cmath>

namespace featurescope {

namespace {
constexpr int kChunk = 64; // samples per fused chunk: h, p and g for a chunk stay in L1
// Fused kernel when n·m is at most this: measured with `featurescope bench` (see BENCHMARKS.md).
constexpr long long kFusedMaxWeights = 512;
} // namespace

ToyLossKernel::ToyLossKernel(const ToyModelConfig& config, int instance, int batch, Path path)
    : m_features(config.features),
      m_hidden(config.hidden),
      m_batch(batch),
      m_hiddenRelu(config.kind == ToyModelKind::ReluHidden || config.kind == ToyModelKind::UntiedAbs),
      m_outputRelu(config.kind != ToyModelKind::Linear),
      m_absoluteTarget(config.kind == ToyModelKind::UntiedAbs),
      m_tied(config.tied()),
      m_path(path)
{
    if (m_path == Path::Automatic)
        m_path = static_cast<long long>(m_features) * m_hidden <= kFusedMaxWeights ? Path::Fused : Path::Gemm;
    m_importance.resize(static_cast<std::size_t>(m_features));
    m_coefficient.resize(static_cast<std::size_t>(m_features));
    for (int i = 0; i < m_features; ++i) {
        m_importance[static_cast<std::size_t>(i)] = static_cast<float>(config.importance(instance, i));
        m_coefficient[static_cast<std::size_t>(i)] =
            static_cast<float>(2.0 * config.importance(instance, i) / (double(batch) * m_features));
    }
    if (m_path == Path::Gemm) {
        m_H.resize(batch, m_hidden);
        m_Z.resize(batch, m_features);
        m_P.resize(batch, m_hidden);
    } else {
        // h, p (m x chunk each) and g (chunk), z (chunk)
        m_chunk.resize(static_cast<std::size_t>(2 * m_hidden * kChunk + 2 * kChunk));
    }
    if (!m_tied)
        m_decoderGradient.resize(m_hidden, m_features);
}

double ToyLossKernel::denseFlopsPerStep() const
{
    // H = X Wᵀ, Z = H D, dD = Hᵀ G, P = G Dᵀ, dW = Pᵀ X: five products of 2·B·n·m flops each.
    return 5.0 * 2.0 * double(m_batch) * m_features * m_hidden;
}

double ToyLossKernel::evaluate(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient)
{
    if (gradient) {
        gradient->W.setZero(m_hidden, m_features);
        gradient->b.setZero(m_features);
        if (!m_tied)
            gradient->decoder.setZero(m_hidden, m_features);
    }
    return m_path == Path::Fused ? evaluateFused(params, X, gradient) : evaluateGemm(params, X, gradient);
}

double ToyLossKernel::evaluateFused(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient)
{
    const int n = m_features;
    const int m = m_hidden;
    const int B = static_cast<int>(X.rows());
    const float* E = params.W.data();                  // E(k, j) = E[k + j m]
    const float* D = params.decoderWeights().data();   // D(k, i)
    const float* bias = params.b.data();
    float* dE = gradient ? gradient->W.data() : nullptr;
    float* dD = gradient ? (m_tied ? gradient->W.data() : gradient->decoder.data()) : nullptr;
    float* db = gradient ? gradient->b.data() : nullptr;
    float* h = m_chunk.data();         // m x kChunk
    float* p = h + m * kChunk;         // m x kChunk: G Dᵀ for the chunk
    float* g = p + m * kChunk;         // kChunk
    float* z = g + kChunk;             // kChunk
    double loss = 0.0;

    for (int s0 = 0; s0 < B; s0 += kChunk) {
        const int len = std::min(kChunk, B - s0);
        // h = E x
        std::fill(h, h + m * kChunk, 0.0f);
        for (int j = 0; j < n; ++j) {
            const float* xj = X.data() + static_cast<std::ptrdiff_t>(j) * B + s0;
            for (int k = 0; k < m; ++k) {
                const float e = E[k + j * m];
                float* hk = h + k * kChunk;
                for (int s = 0; s < len; ++s)
                    hk[s] += e * xj[s];
            }
        }
        if (m_hiddenRelu)
            for (int t = 0; t < m * kChunk; ++t)
                h[t] = std::max(h[t], 0.0f);
        std::fill(p, p + m * kChunk, 0.0f);
        for (int i = 0; i < n; ++i) {
            const float* xi = X.data() + static_cast<std::ptrdiff_t>(i) * B + s0;
            for (int s = 0; s < len; ++s)
                z[s] = bias[i];
            for (int k = 0; k < m; ++k) {
                const float d = D[k + i * m];
                const float* hk = h + k * kChunk;
                for (int s = 0; s < len; ++s)
                    z[s] += d * hk[s];
            }
            const float importance = m_importance[static_cast<std::size_t>(i)];
            const float coefficient = m_coefficient[static_cast<std::size_t>(i)];
            float chunkLoss = 0.0f;
            float gradientSum = 0.0f;
#pragma omp simd reduction(+ : chunkLoss, gradientSum)
            for (int s = 0; s < len; ++s) {
                const float target = m_absoluteTarget ? std::fabs(xi[s]) : xi[s];
                const float y = m_outputRelu ? std::max(z[s], 0.0f) : z[s];
                const float diff = y - target;
                chunkLoss += diff * diff;
                const float gs = (m_outputRelu && !(z[s] > 0.0f)) ? 0.0f : coefficient * diff;
                g[s] = gs;
                gradientSum += gs;
            }
            loss += double(importance) * chunkLoss;
            if (!gradient)
                continue;
            db[i] += gradientSum;
            for (int k = 0; k < m; ++k) {
                const float* hk = h + k * kChunk;
                float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
                for (int s = 0; s < len; ++s)
                    dot += hk[s] * g[s];
                dD[k + i * m] += dot;
                const float d = D[k + i * m];
                float* pk = p + k * kChunk;
                for (int s = 0; s < len; ++s)
                    pk[s] += d * g[s];
            }
        }
        if (!gradient)
            continue;
        if (m_hiddenRelu)
            for (int t = 0; t < m * kChunk; ++t)
                p[t] = h[t] > 0.0f ? p[t] : 0.0f;
        for (int j = 0; j < n; ++j) {
            const float* xj = X.data() + static_cast<std::ptrdiff_t>(j) * B + s0;
            for (int k = 0; k < m; ++k) {
                const float* pk = p + k * kChunk;
                float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
                for (int s = 0; s < len; ++s)
                    dot += pk[s] * xj[s];
                dE[k + j * m] += dot;
            }
        }
    }
    return loss / (double(B) * n);
}

double ToyLossKernel::evaluateGemm(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient)
{
    const int n = m_features;
    const int B = static_cast<int>(X.rows());
    const Eigen::MatrixXf& D = params.decoderWeights();
    m_H.noalias() = X * params.W.transpose();
    if (m_hiddenRelu)
        m_H = m_H.cwiseMax(0.0f);
    m_Z.noalias() = m_H * D;
    double loss = 0.0;
    // Z becomes G in place, one feature column at a time.
    for (int i = 0; i < n; ++i) {
        float* zi = m_Z.col(i).data();
        const float* xi = X.col(i).data();
        const float bi = params.b[i];
        const float coefficient = m_coefficient[static_cast<std::size_t>(i)];
        float columnLoss = 0.0f;
#pragma omp simd reduction(+ : columnLoss)
        for (int s = 0; s < B; ++s) {
            const float zs = zi[s] + bi;
            const float target = m_absoluteTarget ? std::fabs(xi[s]) : xi[s];
            const float y = m_outputRelu ? std::max(zs, 0.0f) : zs;
            const float diff = y - target;
            columnLoss += diff * diff;
            zi[s] = (m_outputRelu && !(zs > 0.0f)) ? 0.0f : coefficient * diff;
        }
        loss += double(m_importance[static_cast<std::size_t>(i)]) * columnLoss;
    }
    if (gradient) {
        const Eigen::MatrixXf& G = m_Z;
        gradient->b.noalias() = G.colwise().sum().transpose();
        if (m_tied) {
            gradient->W.noalias() = m_H.transpose() * G;
        } else {
            gradient->decoder.noalias() = m_H.transpose() * G;
        }
        m_P.noalias() = G * D.transpose();
        if (m_hiddenRelu)
            m_P = (m_H.array() > 0.0f).select(m_P, 0.0f);
        gradient->W.noalias() += m_P.transpose() * X;
    }
    return loss / (double(B) * n);
}

} // namespace featurescope
