// ColumnStatistics: the streaming per-feature summary of large imports, against values computed directly, for every
// layout it reads (C and Fortran order, F32 and converted dtypes, one or two threads), and its error paths.
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "io/ColumnStatistics.h"
#include "common/Cancelled.h"
#include "math/Rng.h"

#include <QtTest>

#include <cmath>

using namespace featurescope;

class TestColumnStatistics : public QObject {
    Q_OBJECT
private:
    // rows x d values, row-major: column j is offset by 1000 j (tests the shifted variance), a third are zero.
    static std::vector<float> values(std::uint64_t rows, std::uint64_t d)
    {
        Rng rng(9);
        std::vector<float> v(rows * d);
        for (std::uint64_t r = 0; r < rows; ++r)
            for (std::uint64_t j = 0; j < d; ++j)
                v[r * d + j] = rng.uniform() < 1.0 / 3.0 ? 0.0f : float(1000.0 * j + 4.0 * rng.uniform() - 2.0);
        return v;
    }

    static void compareWithDirect(const ColumnStatistics& s, const std::vector<float>& v, std::uint64_t rows,
                                  std::uint64_t d, double tolerance)
    {
        QCOMPARE(s.rows, rows);
        QCOMPARE(s.mean.size(), std::size_t(d));
        for (std::uint64_t j = 0; j < d; ++j) {
            double sum = 0.0, minimum = INFINITY, maximum = -INFINITY, nonzero = 0.0;
            for (std::uint64_t r = 0; r < rows; ++r) {
                const double x = v[r * d + j];
                sum += x;
                minimum = std::min(minimum, x);
                maximum = std::max(maximum, x);
                nonzero += x != 0.0;
            }
            const double mean = sum / double(rows);
            double squares = 0.0;
            for (std::uint64_t r = 0; r < rows; ++r)
                squares += (v[r * d + j] - mean) * (v[r * d + j] - mean);
            const double deviation = std::sqrt(squares / double(rows));
            QVERIFY2(std::abs(s.mean[j] - mean) <= tolerance * (1.0 + std::abs(mean)), qPrintable(QString::number(j)));
            QVERIFY2(std::abs(s.standardDeviation[j] - deviation) <= tolerance * (1.0 + deviation),
                     qPrintable(QStringLiteral("column %1: %2 vs %3").arg(j).arg(s.standardDeviation[j]).arg(deviation)));
            QCOMPARE(s.minimum[j], minimum);
            QCOMPARE(s.maximum[j], maximum);
            QCOMPARE(s.nonzeroFraction[j], nonzero / double(rows));
        }
    }

private Q_SLOTS:
    void matchesDirectComputation_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("d");
        QTest::newRow("one thread, 37 columns (vector tail)") << 1 << 37;
        QTest::newRow("two threads, 37 columns") << 2 << 37;
        QTest::newRow("two threads, 64 columns") << 2 << 64;
    }
    void matchesDirectComputation()
    {
        QFETCH(int, threads);
        QFETCH(int, d);
        const std::uint64_t rows = 20000; // > 64 blocks: the row range really splits over threads
        const auto v = values(rows, std::uint64_t(d));
        const ArrayData array = ArrayData::fromFloats({rows, std::uint64_t(d)}, v.data());
        compareWithDirect(ColumnStatistics::compute(array, nullptr, unsigned(threads)), v, rows, std::uint64_t(d), 1e-5);
    }

    void fortranOrderAndHalfPrecision()
    {
        const std::uint64_t rows = 700, d = 5;
        auto v = values(rows, d);
        // F16 holds these values only approximately: compare with the rounded values.
        const ArrayData half = ArrayData::fromFloats({rows, d}, v.data(), DType::F16);
        std::vector<float> rounded = half.toFloatVector();
        compareWithDirect(ColumnStatistics::compute(half), rounded, rows, d, 1e-4);
        // The same values stored column-major.
        std::vector<std::uint8_t> bytes(rows * d * 4);
        for (std::uint64_t j = 0; j < d; ++j)
            for (std::uint64_t r = 0; r < rows; ++r)
                std::memcpy(bytes.data() + 4 * (j * rows + r), &v[r * d + j], 4);
        const ArrayData fortran(DType::F32, {rows, d}, std::move(bytes), true);
        compareWithDirect(ColumnStatistics::compute(fortran), v, rows, d, 1e-5);
    }

    void rejectsWrongShapes()
    {
        const float x[3] = {1, 2, 3};
        QVERIFY_THROWS_EXCEPTION(InputError, ColumnStatistics::compute(ArrayData::fromFloats({3}, x)));
        QVERIFY_THROWS_EXCEPTION(InputError, ColumnStatistics::compute(ArrayData::fromFloats({0, 3}, x)));
    }

    void cancels()
    {
        const auto v = values(50000, 8);
        const ArrayData array = ArrayData::fromFloats({50000, 8}, v.data());
        ProgressReporter progress;
        progress.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, ColumnStatistics::compute(array, &progress, 2));
    }

    void reportsProgress()
    {
        const auto v = values(100000, 4);
        const ArrayData array = ArrayData::fromFloats({100000, 4}, v.data());
        double last = -1.0;
        int reports = 0;
        ProgressReporter progress([&](double fraction, const std::string&) {
            QVERIFY(fraction >= 0.0 && fraction <= 1.0);
            last = fraction;
            ++reports;
        });
        ColumnStatistics::compute(array, &progress, 1);
        QVERIFY(reports >= 2);
        QCOMPARE(last, 1.0);
    }
};

QTEST_GUILESS_MAIN(TestColumnStatistics)
#include "tst_column_statistics.moc"
