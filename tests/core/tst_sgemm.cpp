// Sgemm: the packed matrix product equals a double-precision reference for every storage order (plain and
// transposed A and B), for shapes that are not multiples of the micro-tile or cross the cache blocks, with row
// strides wider than the matrix, in overwrite and accumulate modes, with B packed once beforehand (Sgemm::pack), with
// a bias row added to every row (multiplyAddBias), and for an empty inner dimension. The bfloat16
// product equals the double-precision product of the bfloat16-rounded inputs (on CPUs with AVX512_BF16).
#include "math/Bf16Gemm.h"
#include "math/Sgemm.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace featurescope;

namespace {

struct Stored {
    std::vector<float> data;
    Sgemm::View view{nullptr, 0, 0};
    // A rows x cols matrix, stored plain (row-major, row stride = cols + pad) or as its transpose.
    Stored(int rows, int cols, bool transposed, int pad, std::mt19937& rng) : data()
    {
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        const int storedRows = transposed ? cols : rows, storedCols = (transposed ? rows : cols) + pad;
        data.resize(std::size_t(storedRows) * std::size_t(storedCols));
        for (float& x : data)
            x = u(rng);
        view = Sgemm::View(data.data(), storedCols, 1);
        if (transposed)
            view = view.transposed();
    }
    double at(int i, int j) const { return double(view.data[i * view.rowStride + j * view.colStride]); }
};

} // namespace

class TestSgemm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesReference_data()
    {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::newRow("1x1x1") << 1 << 1 << 1;
        QTest::newRow("tiny, ragged") << 5 << 7 << 3;
        QTest::newRow("one row") << 1 << 100 << 37;
        QTest::newRow("one column") << 61 << 1 << 50;
        QTest::newRow("tile multiples") << 96 << 64 << 64;
        QTest::newRow("crosses the depth block") << 29 << 45 << 1031;
        QTest::newRow("crosses the row block") << 300 << 33 << 17;
        QTest::newRow("crosses the column block") << 13 << 3200 << 9;
        QTest::newRow("language-model shape") << 130 << 200 << 128;
        // Products above the small-product limits (k > 128 or m n > 65536) take the blocked path.
        QTest::newRow("blocked, crosses the row block") << 300 << 250 << 140;
        QTest::newRow("blocked, crosses the column block") << 25 << 3200 << 130;
        QTest::newRow("blocked, ragged") << 131 << 517 << 129;
    }
    void matchesReference() { checkAgainstReference(Mode::Plain); }

    // B packed once (Sgemm::pack) gives the same products.
    void packedMatchesReference_data() { matchesReference_data(); }
    void packedMatchesReference() { checkAgainstReference(Mode::PrePacked); }

    // A bias row is added exactly once to every row, also across depth blocks and on C's ragged right edge.
    void biasMatchesReference_data() { matchesReference_data(); }
    void biasMatchesReference() { checkAgainstReference(Mode::WithBias); }

    void bf16Rounding()
    {
        QCOMPARE(Bf16Gemm::fromBf16(Bf16Gemm::toBf16(1.0f)), 1.0f);
        QCOMPARE(Bf16Gemm::fromBf16(Bf16Gemm::toBf16(-2.5f)), -2.5f);
        // 1 + 2^-8 lies halfway between bfloat16 neighbours 1 and 1 + 2^-7: ties go to the even one, 1.
        QCOMPARE(Bf16Gemm::fromBf16(Bf16Gemm::toBf16(1.0f + 1.0f / 256.0f)), 1.0f);
        QCOMPARE(Bf16Gemm::fromBf16(Bf16Gemm::toBf16(1.0f + 3.0f / 256.0f)), 1.0f + 4.0f / 256.0f);
        QVERIFY(std::isnan(Bf16Gemm::fromBf16(Bf16Gemm::toBf16(NAN))));
        QVERIFY(std::isinf(Bf16Gemm::fromBf16(Bf16Gemm::toBf16(INFINITY))));
    }

    void bf16MatchesRoundedReference_data() { matchesReference_data(); }
    void bf16MatchesRoundedReference()
    {
        if (!Bf16Gemm::available())
            QSKIP("this build has no AVX512_BF16 kernel");
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        std::mt19937 rng(std::uint32_t(m * 131 + n * 17 + k));
        for (int variant = 0; variant < 4; ++variant) {
            const bool tb = variant & 1, accumulate = variant & 2;
            const Stored a(m, k, false, variant % 3, rng), b(k, n, tb, 1, rng);
            const Bf16Gemm::PackedMatrix packed(k, n, b.view);
            const int ldc = n + 3;
            std::vector<float> c(std::size_t(m) * ldc, 0.5f);
            const std::vector<float> before = c;
            Bf16Gemm::multiply(m, a.view, packed, c.data(), ldc, accumulate);
            auto rounded = [](double x) { return double(Bf16Gemm::fromBf16(Bf16Gemm::toBf16(float(x)))); };
            for (int i = 0; i < m; ++i)
                for (int j = 0; j < n; ++j) {
                    double expected = accumulate ? before[std::size_t(i) * ldc + j] : 0.0, magnitude = std::abs(expected);
                    for (int p = 0; p < k; ++p) {
                        const double term = rounded(a.at(i, p)) * rounded(b.at(p, j));
                        expected += term;
                        magnitude += std::abs(term);
                    }
                    const double got = c[std::size_t(i) * ldc + j];
                    if (std::abs(got - expected) > (k + 2) * 6e-8 * magnitude + 1e-7)
                        QFAIL(qPrintable(QStringLiteral("variant %1: C(%2,%3) = %4, expected %5")
                                             .arg(variant).arg(i).arg(j).arg(got).arg(expected)));
                }
        }
    }

    void emptyInnerDimension()
    {
        std::vector<float> c(6, 3.0f);
        const float dummy = 0.0f;
        Sgemm::multiply(2, 3, 0, Sgemm::View(&dummy, 0, 1), Sgemm::View(&dummy, 3, 1), c.data(), 3, true);
        for (float x : c)
            QCOMPARE(x, 3.0f); // accumulating nothing leaves C
        Sgemm::multiply(2, 3, 0, Sgemm::View(&dummy, 0, 1), Sgemm::View(&dummy, 3, 1), c.data(), 3, false);
        for (float x : c)
            QCOMPARE(x, 0.0f); // the product of empty factors is zero
        const float bias[3] = {1.0f, -2.0f, 0.5f};
        Sgemm::multiplyAddBias(2, 3, 0, Sgemm::View(&dummy, 0, 1), Sgemm::View(&dummy, 3, 1), bias, c.data(), 3, true);
        for (int i = 0; i < 6; ++i)
            QCOMPARE(c[std::size_t(i)], bias[i % 3]); // with no depth, only the bias is added
    }
private:
    enum class Mode { Plain, PrePacked, WithBias };

    static void checkAgainstReference(Mode mode)
    {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        std::mt19937 rng(std::uint32_t(m * 7919 + n * 31 + k));
        for (int variant = 0; variant < 8; ++variant) {
            const bool ta = variant & 1, tb = variant & 2, accumulate = variant & 4;
            const Stored a(m, k, ta, variant % 3, rng), b(k, n, tb, (variant + 1) % 3, rng);
            const int ldc = n + 5;
            std::vector<float> c(std::size_t(m) * ldc);
            std::uniform_real_distribution<float> u(-1.0f, 1.0f);
            for (float& x : c)
                x = u(rng);
            const std::vector<float> before = c;
            std::vector<float> bias(std::size_t(n), 0.0f);
            if (mode == Mode::WithBias)
                for (float& x : bias)
                    x = 4.0f * u(rng);
            if (mode == Mode::PrePacked) {
                Sgemm::PackedMatrix packed;
                Sgemm::pack(k, n, b.view, packed);
                QCOMPARE(packed.rows(), k);
                QCOMPARE(packed.cols(), n);
                Sgemm::multiply(m, a.view, packed, c.data(), ldc, accumulate);
            } else if (mode == Mode::WithBias) {
                Sgemm::multiplyAddBias(m, n, k, a.view, b.view, bias.data(), c.data(), ldc, accumulate);
            } else {
                Sgemm::multiply(m, n, k, a.view, b.view, c.data(), ldc, accumulate);
            }
            for (int i = 0; i < m; ++i) {
                for (int j = 0; j < n; ++j) {
                    double expected = (accumulate ? before[std::size_t(i) * ldc + j] : 0.0) + bias[std::size_t(j)];
                    double magnitude = std::abs(expected);
                    for (int p = 0; p < k; ++p) {
                        expected += a.at(i, p) * b.at(p, j);
                        magnitude += std::abs(a.at(i, p) * b.at(p, j));
                    }
                    const double got = c[std::size_t(i) * ldc + j];
                    // The classic bound for a float dot product of length k: k units of rounding on the sum of magnitudes.
                    if (std::abs(got - expected) > (k + 1) * 6e-8 * magnitude + 1e-7)
                        QFAIL(qPrintable(QStringLiteral("variant %1: C(%2,%3) = %4, expected %5")
                                             .arg(variant).arg(i).arg(j).arg(got).arg(expected)));
                }
                // The padding between rows of C is never written.
                for (int j = n; j < ldc; ++j)
                    QCOMPARE(c[std::size_t(i) * ldc + j], before[std::size_t(i) * ldc + j]);
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestSgemm)
#include "tst_sgemm.moc"
