#include "toy/ToyLossKernel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace featurescope {

namespace {
constexpr int kChunk = 64; // samples per fused chunk: h, p and g for a chunk stay in L1
// The fused kernel keeps h and p (m x 64 samples each) in L1; beyond this m, Eigen GEMMs win (BENCHMARKS.md).
constexpr int kFusedMaxHidden = 64;
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
        m_path = m_hidden <= kFusedMaxHidden ? Path::Fused : Path::Gemm;
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
        // h, p and a padded tail chunk (64 samples each), then the per-lane accumulators: 16-float vectors.
        m_vectorWork.resize(static_cast<std::size_t>((2 * m_hidden + m_features) * (kChunk / 16) +
                                                     2 * m_hidden * m_features + 2 * m_features));
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

namespace {

// 16 floats: one AVX-512 register (GCC/Clang split it on narrower machines). Written with vector extensions because
// the sample-major loops below are too short for the auto-vectoriser to take reliably.
using Vec = float __attribute__((vector_size(64)));
constexpr int kVec = 16;
constexpr int kVecsPerChunk = kChunk / kVec;

inline Vec load(const float* p)
{
    Vec v;
    std::memcpy(&v, p, sizeof(Vec));
    return v;
}
inline Vec splat(float x) { return Vec{} + x; }
inline float horizontalSum(Vec v)
{
    float s = 0.0f;
    for (int l = 0; l < kVec; ++l)
        s += v[l];
    return s;
}

struct FusedArguments {
    int n, m, B;
    const float* X;        // B x n, column-major
    const float* E;        // encoder m x n
    const float* D;        // decoder m x n
    const float* bias;
    const float* importance;
    const float* coefficient;
    float* dE;             // may equal dD (tied weights)
    float* dD;
    float* db;
    Vec* work;             // h, p: m x kVecsPerChunk each; padded tail chunk: n x kVecsPerChunk
    Vec* lanes;            // accumulators: dD (m n), dE (m n), db (n), loss (n)
    int* active;           // n: the features with a non-zero input in the current chunk
};

// True when all 64 values of a chunk are zero (sparse inputs, or a gradient the ReLU switched off). Integer OR so
// the check vectorises; -0.0 counts as zero.
inline bool chunkIsZero(const float* values)
{
    std::uint32_t bits = 0;
    for (int s = 0; s < kChunk; ++s) {
        std::uint32_t u;
        std::memcpy(&u, values + s, sizeof(u));
        bits |= u & 0x7FFFFFFFu;
    }
    return bits == 0;
}

// One pass over the batch in L1-sized chunks of 64 samples. Accumulators stay per lane and are reduced once per
// batch, so short chunks cost no horizontal sums.
template <bool HiddenRelu, bool OutputRelu, bool AbsoluteTarget, bool WithGradient>
double fusedPass(const FusedArguments& a)
{
    const int n = a.n, m = a.m, B = a.B;
    Vec* __restrict h = a.work;
    Vec* __restrict p = h + m * kVecsPerChunk;
    Vec* __restrict padded = p + m * kVecsPerChunk;
    Vec* __restrict dDAcc = a.lanes;       // [i * m + k]
    Vec* __restrict dEAcc = dDAcc + m * n; // [j * m + k]
    Vec* __restrict dbAcc = dEAcc + m * n; // [i]
    Vec* __restrict lossAcc = dbAcc + n;   // [i]
    std::fill(a.lanes, a.lanes + 2 * m * n + 2 * n, Vec{});

    for (int s0 = 0; s0 < B; s0 += kChunk) {
        const int len = std::min(kChunk, B - s0);
        const float* xBase = a.X + s0;
        std::ptrdiff_t stride = B;
        Vec mask[kVecsPerChunk];
        for (int c = 0; c < kVecsPerChunk; ++c)
            mask[c] = splat(1.0f);
        if (len < kChunk) {
            // The tail: copy into a zero-padded chunk and mask the missing samples out of loss and gradient.
            float* pad = reinterpret_cast<float*>(padded);
            std::fill(pad, pad + static_cast<std::ptrdiff_t>(n) * kChunk, 0.0f);
            for (int j = 0; j < n; ++j)
                std::memcpy(pad + static_cast<std::ptrdiff_t>(j) * kChunk, a.X + static_cast<std::ptrdiff_t>(j) * B + s0,
                            sizeof(float) * static_cast<std::size_t>(len));
            xBase = pad;
            stride = kChunk;
            for (int c = 0; c < kVecsPerChunk; ++c)
                for (int l = 0; l < kVec; ++l)
                    mask[c][l] = c * kVec + l < len ? 1.0f : 0.0f;
        }
        // Sparse inputs: only features active somewhere in this chunk contribute to h = E x and to dL/dE.
        int activeCount = 0;
        for (int j = 0; j < n; ++j)
            if (!chunkIsZero(xBase + j * stride))
                a.active[activeCount++] = j;
        // h = E x, four hidden units at a time so their 16 accumulators live in registers across the features.
        int k0 = 0;
        for (; k0 + 4 <= m; k0 += 4) {
            Vec acc[4][kVecsPerChunk] = {};
            for (int q = 0; q < activeCount; ++q) {
                const int j = a.active[q];
                Vec x[kVecsPerChunk];
                for (int c = 0; c < kVecsPerChunk; ++c)
                    x[c] = load(xBase + j * stride + c * kVec);
                for (int kk = 0; kk < 4; ++kk) {
                    const Vec e = splat(a.E[k0 + kk + j * m]);
                    for (int c = 0; c < kVecsPerChunk; ++c)
                        acc[kk][c] += e * x[c];
                }
            }
            for (int kk = 0; kk < 4; ++kk)
                for (int c = 0; c < kVecsPerChunk; ++c)
                    h[(k0 + kk) * kVecsPerChunk + c] = acc[kk][c];
        }
        for (; k0 < m; ++k0) {
            Vec acc[kVecsPerChunk] = {};
            for (int q = 0; q < activeCount; ++q) {
                const int j = a.active[q];
                const Vec e = splat(a.E[k0 + j * m]);
                for (int c = 0; c < kVecsPerChunk; ++c)
                    acc[c] += e * load(xBase + j * stride + c * kVec);
            }
            for (int c = 0; c < kVecsPerChunk; ++c)
                h[k0 * kVecsPerChunk + c] = acc[c];
        }
        if (HiddenRelu)
            for (int t = 0; t < m * kVecsPerChunk; ++t)
                h[t] = h[t] > 0.0f ? h[t] : Vec{};
        if (WithGradient)
            std::fill(p, p + m * kVecsPerChunk, Vec{});
        Vec pendingG[2][kVecsPerChunk];
        int pendingI[2] = {0, 0};
        int pending = 0;
        auto flushPending = [&] {
            if (pending == 2) {
                const int ia = pendingI[0], ib = pendingI[1];
                for (int k = 0; k < m; ++k) {
                    Vec accA = dDAcc[ia * m + k], accB = dDAcc[ib * m + k];
                    const Vec da = splat(a.D[k + ia * m]), db = splat(a.D[k + ib * m]);
                    for (int c = 0; c < kVecsPerChunk; ++c) {
                        const Vec hv = h[k * kVecsPerChunk + c];
                        accA += hv * pendingG[0][c];
                        accB += hv * pendingG[1][c];
                        p[k * kVecsPerChunk + c] += da * pendingG[0][c] + db * pendingG[1][c];
                    }
                    dDAcc[ia * m + k] = accA;
                    dDAcc[ib * m + k] = accB;
                }
            } else if (pending == 1) {
                const int ia = pendingI[0];
                for (int k = 0; k < m; ++k) {
                    Vec acc = dDAcc[ia * m + k];
                    const Vec d = splat(a.D[k + ia * m]);
                    for (int c = 0; c < kVecsPerChunk; ++c) {
                        acc += h[k * kVecsPerChunk + c] * pendingG[0][c];
                        p[k * kVecsPerChunk + c] += d * pendingG[0][c];
                    }
                    dDAcc[ia * m + k] = acc;
                }
            }
            pending = 0;
        };
        for (int i = 0; i < n; ++i) {
            Vec z[kVecsPerChunk], g[kVecsPerChunk];
            for (int c = 0; c < kVecsPerChunk; ++c)
                z[c] = splat(a.bias[i]);
            for (int k = 0; k < m; ++k) {
                const Vec d = splat(a.D[k + i * m]);
                for (int c = 0; c < kVecsPerChunk; ++c)
                    z[c] += d * h[k * kVecsPerChunk + c];
            }
            const Vec coefficient = splat(a.coefficient[i]);
            Vec loss{}, gsum{};
            for (int c = 0; c < kVecsPerChunk; ++c) {
                Vec target = load(xBase + i * stride + c * kVec);
                if (AbsoluteTarget)
                    target = target < 0.0f ? -target : target;
                const Vec y = OutputRelu ? (z[c] > 0.0f ? z[c] : Vec{}) : z[c];
                const Vec diff = (y - target) * mask[c];
                loss += diff * diff;
                g[c] = OutputRelu ? (z[c] > 0.0f ? coefficient * diff : Vec{}) : coefficient * diff;
                gsum += g[c];
            }
            lossAcc[i] += loss;
            if (!WithGradient)
                continue;
            dbAcc[i] += gsum;
            if (chunkIsZero(reinterpret_cast<const float*>(g)))
                continue; // no gradient flows back through this feature in this chunk
            // Back-propagate two features at a time: each pass over p then costs one load and one store for two
            // features' worth of FMAs (stores are the bottleneck of this loop).
            for (int c = 0; c < kVecsPerChunk; ++c)
                pendingG[pending][c] = g[c];
            pendingI[pending++] = i;
            if (pending == 2)
                flushPending();
        }
        if (WithGradient)
            flushPending();
        if (!WithGradient)
            continue;
        if (HiddenRelu)
            for (int t = 0; t < m * kVecsPerChunk; ++t)
                p[t] = h[t] > 0.0f ? p[t] : Vec{};
        for (int q = 0; q < activeCount; ++q) {
            const int j = a.active[q];
            Vec x[kVecsPerChunk];
            for (int c = 0; c < kVecsPerChunk; ++c)
                x[c] = load(xBase + j * stride + c * kVec);
            for (int k = 0; k < m; ++k) {
                Vec acc = dEAcc[j * m + k];
                for (int c = 0; c < kVecsPerChunk; ++c)
                    acc += p[k * kVecsPerChunk + c] * x[c];
                dEAcc[j * m + k] = acc;
            }
        }
    }
    double loss = 0.0;
    for (int i = 0; i < n; ++i) {
        loss += double(a.importance[i]) * horizontalSum(lossAcc[i]);
        if (WithGradient)
            a.db[i] += horizontalSum(dbAcc[i]);
    }
    if (WithGradient)
        for (int t = 0; t < m * n; ++t) {
            // Accumulator t = i m + k is entry (k, i) of the column-major m x n gradient: the same offset.
            a.dD[t] += horizontalSum(dDAcc[t]);
            a.dE[t] += horizontalSum(dEAcc[t]);
        }
    return loss / (double(B) * n);
}

template <bool HiddenRelu, bool OutputRelu, bool AbsoluteTarget>
double fusedDispatch(const FusedArguments& a, bool withGradient)
{
    return withGradient ? fusedPass<HiddenRelu, OutputRelu, AbsoluteTarget, true>(a)
                        : fusedPass<HiddenRelu, OutputRelu, AbsoluteTarget, false>(a);
}

} // namespace

double ToyLossKernel::evaluateFused(const ToyInstance& params, const Eigen::MatrixXf& X, ToyInstance* gradient)
{
    FusedArguments a;
    a.n = m_features;
    a.m = m_hidden;
    a.B = static_cast<int>(X.rows());
    a.X = X.data();
    a.E = params.W.data();
    a.D = params.decoderWeights().data();
    a.bias = params.b.data();
    a.importance = m_importance.data();
    a.coefficient = m_coefficient.data();
    a.dE = gradient ? gradient->W.data() : nullptr;
    a.dD = gradient ? (m_tied ? gradient->W.data() : gradient->decoder.data()) : nullptr;
    a.db = gradient ? gradient->b.data() : nullptr;
    a.work = m_vectorWork.data();
    a.lanes = m_vectorWork.data() + (2 * m_hidden + m_features) * (kChunk / 16);
    m_activeFeatures.resize(static_cast<std::size_t>(m_features));
    a.active = m_activeFeatures.data();
    const bool g = gradient != nullptr;
    if (m_absoluteTarget)
        return fusedDispatch<true, true, true>(a, g); // the untied |x| model: ReLU hidden and output
    if (m_hiddenRelu)
        return fusedDispatch<true, true, false>(a, g);
    if (m_outputRelu)
        return fusedDispatch<false, true, false>(a, g);
    return fusedDispatch<false, false, false>(a, g);
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
