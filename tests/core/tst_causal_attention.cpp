// CausalAttention: the forward pass (pattern and head output) and the three input gradients equal a direct
// double-precision computation, for head sizes that take the register-blocked paths (16, 32, 64) and others (8, 20),
// sequence lengths on and off multiples of 16, and row strides wider than a head. The same rows at different
// addresses give the same bits (a dashboard scan must not depend on how its buffers were allocated).
#include "lm/CausalAttention.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace featurescope;

class TestCausalAttention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesDirectComputation_data()
    {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("dh");
        for (const int t : {1, 5, 16, 17, 64})
            for (const int dh : {8, 16, 20, 32, 64})
                QTest::newRow(qPrintable(QStringLiteral("T=%1 dh=%2").arg(t).arg(dh))) << t << dh;
    }

    void matchesDirectComputation()
    {
        QFETCH(int, tokens);
        QFETCH(int, dh);
        const int stride = 3 * dh + 5, T = tokens;
        std::mt19937 rng(std::uint32_t(T * 100 + dh));
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::vector<float> qkv(std::size_t(T) * stride), dz(std::size_t(T) * (dh + 3));
        for (float& x : qkv)
            x = normal(rng);
        for (float& x : dz)
            x = normal(rng);
        const float* q = qkv.data();
        const float* k = qkv.data() + dh;
        const float* v = qkv.data() + 2 * dh;
        const float scale = 1.0f / std::sqrt(float(dh));
        std::vector<float> p(std::size_t(T) * T), z(std::size_t(T) * (dh + 1));
        CausalAttention::forward(q, k, v, stride, T, dh, scale, p.data(), z.data(), dh + 1);

        // Direct: S, P, Z, then dP, dS, dQ, dK, dV in double.
        auto at = [&](const float* base, int t, int c) { return double(base[std::size_t(t) * stride + c]); };
        std::vector<double> P(std::size_t(T) * T, 0.0), dS(std::size_t(T) * T, 0.0);
        for (int i = 0; i < T; ++i) {
            double peak = -1e300;
            std::vector<double> s(std::size_t(i) + 1);
            for (int j = 0; j <= i; ++j) {
                for (int c = 0; c < dh; ++c)
                    s[std::size_t(j)] += at(q, i, c) * at(k, j, c);
                s[std::size_t(j)] *= scale;
                peak = std::max(peak, s[std::size_t(j)]);
            }
            double sum = 0.0;
            for (int j = 0; j <= i; ++j)
                sum += std::exp(s[std::size_t(j)] - peak);
            for (int j = 0; j <= i; ++j)
                P[std::size_t(i) * T + j] = std::exp(s[std::size_t(j)] - peak) / sum;
        }
        for (int i = 0; i < T; ++i) {
            for (int j = 0; j < T; ++j)
                QVERIFY(std::abs(p[std::size_t(i) * T + j] - P[std::size_t(i) * T + j]) < 1e-5);
            for (int c = 0; c < dh; ++c) {
                double expected = 0.0;
                for (int j = 0; j <= i; ++j)
                    expected += P[std::size_t(i) * T + j] * at(v, j, c);
                QVERIFY(std::abs(z[std::size_t(i) * (dh + 1) + c] - expected) < 1e-4);
            }
        }
        const int dzStride = dh + 3;
        for (int i = 0; i < T; ++i) {
            std::vector<double> dP(std::size_t(i) + 1, 0.0);
            double dot = 0.0;
            for (int j = 0; j <= i; ++j) {
                for (int c = 0; c < dh; ++c)
                    dP[std::size_t(j)] += double(dz[std::size_t(i) * dzStride + c]) * at(v, j, c);
                dot += dP[std::size_t(j)] * P[std::size_t(i) * T + j];
            }
            for (int j = 0; j <= i; ++j)
                dS[std::size_t(i) * T + j] = P[std::size_t(i) * T + j] * (dP[std::size_t(j)] - dot) * scale;
        }
        std::vector<float> grads(std::size_t(T) * stride, 7.0f), scratch;
        float* dq = grads.data();
        float* dk = grads.data() + dh;
        float* dv = grads.data() + 2 * dh;
        CausalAttention::backward(q, k, v, stride, p.data(), dz.data(), dzStride, T, dh, scale, dq, dk, dv, scratch);
        for (int t = 0; t < T; ++t)
            for (int c = 0; c < dh; ++c) {
                double eq = 0.0, ek = 0.0, ev = 0.0;
                for (int j = 0; j <= t; ++j)
                    eq += dS[std::size_t(t) * T + j] * at(k, j, c);
                for (int i = t; i < T; ++i) {
                    ek += dS[std::size_t(i) * T + t] * at(q, i, c);
                    ev += P[std::size_t(i) * T + t] * double(dz[std::size_t(i) * dzStride + c]);
                }
                QVERIFY2(std::abs(dq[std::size_t(t) * stride + c] - eq) < 1e-4, "dq");
                QVERIFY2(std::abs(dk[std::size_t(t) * stride + c] - ek) < 1e-4, "dk");
                QVERIFY2(std::abs(dv[std::size_t(t) * stride + c] - ev) < 1e-4, "dv");
            }
        // Columns between and after the heads are not written.
        for (int t = 0; t < T; ++t)
            for (int c = 3 * dh; c < stride; ++c)
                QCOMPARE(grads[std::size_t(t) * stride + c], 7.0f);
    }

    void resultsDoNotDependOnAlignment()
    {
        const int T = 37, dh = 24, stride = 3 * dh;
        std::mt19937 rng(5);
        std::normal_distribution<float> normal(0.0f, 2.0f);
        std::vector<float> source(std::size_t(T) * stride), dzSource(std::size_t(T) * dh);
        for (float& x : source)
            x = normal(rng);
        for (float& x : dzSource)
            x = normal(rng);
        std::vector<float> firstP, firstZ, firstGrads;
        for (int offset = 0; offset < 16; ++offset) {
            // Everything shifted by `offset` floats: the rows' alignment changes, their values do not.
            std::vector<float> qkv(source.size() + 16, 0.0f), dz(dzSource.size() + 16, 0.0f);
            std::copy(source.begin(), source.end(), qkv.begin() + offset);
            std::copy(dzSource.begin(), dzSource.end(), dz.begin() + offset);
            std::vector<float> p(std::size_t(T) * T + 16), z(std::size_t(T) * dh + 16), grads(source.size() + 16), scratch;
            const float* base = qkv.data() + offset;
            const float scale = 0.3f;
            CausalAttention::forward(base, base + dh, base + 2 * dh, stride, T, dh, scale, p.data() + offset,
                                     z.data() + offset, dh);
            CausalAttention::backward(base, base + dh, base + 2 * dh, stride, p.data() + offset, dz.data() + offset, dh, T,
                                      dh, scale, grads.data() + offset, grads.data() + offset + dh,
                                      grads.data() + offset + 2 * dh, scratch);
            const std::vector<float> P(p.begin() + offset, p.begin() + offset + std::ptrdiff_t(T) * T);
            const std::vector<float> Z(z.begin() + offset, z.begin() + offset + std::ptrdiff_t(T) * dh);
            const std::vector<float> G(grads.begin() + offset, grads.begin() + offset + std::ptrdiff_t(source.size()));
            if (offset == 0) {
                firstP = P;
                firstZ = Z;
                firstGrads = G;
                continue;
            }
            QVERIFY2(P == firstP, qPrintable(QStringLiteral("pattern differs at offset %1").arg(offset)));
            QVERIFY2(Z == firstZ, qPrintable(QStringLiteral("output differs at offset %1").arg(offset)));
            QVERIFY2(G == firstGrads, qPrintable(QStringLiteral("gradients differ at offset %1").arg(offset)));
        }
    }
};

QTEST_APPLESS_MAIN(TestCausalAttention)
#include "tst_causal_attention.moc"
