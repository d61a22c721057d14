#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "io/ArrayData.h"
#include "common/Cancelled.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>

using namespace featurescope;

class TestArrayData : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Every half value survives half -> float -> half (NaNs stay NaN).
    void halfRoundTripIsExhaustive()
    {
        for (std::uint32_t h = 0; h < 0x10000; ++h) {
            const float f = ArrayData::halfToFloat(std::uint16_t(h));
            const std::uint16_t back = ArrayData::floatToHalf(f);
            if (std::isnan(f))
                QVERIFY(std::isnan(ArrayData::halfToFloat(back)));
            else
                QCOMPARE(back, std::uint16_t(h));
        }
    }

    void halfRounding_data()
    {
        QTest::addColumn<float>("value");
        QTest::addColumn<int>("bits");
        QTest::newRow("one") << 1.0f << 0x3C00;
        QTest::newRow("max") << 65504.0f << 0x7BFF;
        QTest::newRow("overflow to inf") << 65520.0f << 0x7C00;
        QTest::newRow("just below overflow") << 65519.0f << 0x7BFF;
        QTest::newRow("smallest subnormal") << std::ldexp(1.0f, -24) << 0x0001;
        QTest::newRow("half of smallest subnormal ties to zero") << std::ldexp(1.0f, -25) << 0x0000;
        QTest::newRow("above half of smallest subnormal") << std::ldexp(1.5f, -25) << 0x0001;
        QTest::newRow("tie to even (down)") << 1.0f + std::ldexp(1.0f, -11) << 0x3C00;
        QTest::newRow("tie to even (up)") << 1.0f + 3 * std::ldexp(1.0f, -11) << 0x3C02;
        QTest::newRow("negative zero") << -0.0f << 0x8000;
        QTest::newRow("minus infinity") << -std::numeric_limits<float>::infinity() << 0xFC00;
    }

    void halfRounding()
    {
        QFETCH(float, value);
        QFETCH(int, bits);
        QCOMPARE(int(ArrayData::floatToHalf(value)), bits);
    }

    void bf16()
    {
        QCOMPARE(ArrayData::floatToBf16(1.0f), std::uint16_t(0x3F80));
        QCOMPARE(ArrayData::bf16ToFloat(0x3F80), 1.0f);
        // 1 + 2^-8 is halfway between two bf16 values: ties to even (1.0); 1 + 3·2^-8 rounds up.
        QCOMPARE(ArrayData::floatToBf16(1.0f + std::ldexp(1.0f, -8)), std::uint16_t(0x3F80));
        QCOMPARE(ArrayData::floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), std::uint16_t(0x3F82));
        QVERIFY(std::isnan(ArrayData::bf16ToFloat(ArrayData::floatToBf16(std::nanf("")))));
    }

    void elementCountOverflow()
    {
        QVERIFY(!ArrayData::elementCount({1ull << 32, 1ull << 32}));
        QCOMPARE(*ArrayData::elementCount({3, 0, 1ull << 62}), std::uint64_t(0));
        QCOMPARE(*ArrayData::elementCount({}), std::uint64_t(1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ArrayData(DType::F32, {3}, std::vector<std::uint8_t>(8)));
    }

    void conversions()
    {
        const std::vector<float> v = {1.5f, -2.0f, 300.0f, -1e10f};
        QCOMPARE(ArrayData::fromFloats({4}, v.data(), DType::U8).toInt64Vector(),
                 (std::vector<std::int64_t>{1, 0, 255, 0})); // truncated toward zero, saturated
        QCOMPARE(ArrayData::fromFloats({4}, v.data(), DType::I8).toInt64Vector(),
                 (std::vector<std::int64_t>{1, -2, 127, -128}));
        QCOMPARE(ArrayData::fromFloats({4}, v.data(), DType::F64).toFloatVector(), v);
        try {
            ArrayData::fromFloats({4}, v.data()).toInt64Vector("labels");
            QFAIL("accepted non-integers");
        } catch (const InputError& e) {
            QVERIFY(QByteArray(e.what()).contains("labels: element 0 is not an integer"));
        }
        const std::vector<std::int64_t> big = {std::numeric_limits<std::int64_t>::max(), -5};
        QCOMPARE(ArrayData::fromInts({2}, big.data()).converted(DType::U64).converted(DType::I64).toInt64Vector(),
                 (std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::max(), 0}));
    }

    void fortranOrder()
    {
        // [2, 3, 2] column-major: element (i, j, k) at i + 2j + 6k.
        std::vector<float> storage(12);
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j)
                for (int k = 0; k < 2; ++k)
                    storage[std::size_t(i + 2 * j + 6 * k)] = float(100 * i + 10 * j + k);
        std::vector<std::uint8_t> bytes(48);
        std::memcpy(bytes.data(), storage.data(), 48);
        const ArrayData a(DType::F32, {2, 3, 2}, bytes, true);
        const std::vector<float> c = a.toFloatVector();
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j)
                for (int k = 0; k < 2; ++k)
                    QCOMPARE(c[std::size_t(6 * i + 2 * j + k)], float(100 * i + 10 * j + k));
        QVERIFY(!a.converted(DType::F16).fortranOrder());
        QCOMPARE(a.converted(DType::F64).toFloatVector(), c);
    }

    void cancellation()
    {
        std::vector<float> big(std::size_t(1) << 23, 1.0f);
        const ArrayData a = ArrayData::fromFloats({big.size()}, big.data(), DType::F16);
        ProgressReporter progress;
        progress.cancel();
        std::vector<float> out(big.size());
        QVERIFY_THROWS_EXCEPTION(Cancelled, a.toFloat(out.data(), &progress));
        int reports = 0;
        ProgressReporter counting([&](double, const std::string&) { ++reports; });
        a.toFloat(out.data(), &counting);
        QVERIFY(reports >= 1);
        QCOMPARE(out.back(), 1.0f);
    }
};

QTEST_GUILESS_MAIN(TestArrayData)
#include "tst_array_data.moc"
