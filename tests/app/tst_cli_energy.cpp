// `featurescope energy`, run as a process: JSON parses with the right values; bad arguments exit 2 with one line.
#include "app/CliRun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

namespace {

CliRun runBinary(const QStringList& arguments)
{
    return CliRun::run(QStringList{QStringLiteral("energy")} + arguments, 60000);
}

bool relClose(double a, double b, double tolerance) { return std::abs(a - b) <= tolerance * std::abs(b); }

} // namespace

class TestCliEnergy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void json_data();
    void json();
    void jsonHasEveryField();
    void humanSummary();
    void listPresets();
    void badArguments_data();
    void badArguments();
};

void TestCliEnergy::json_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<double>("opsPerSecond");
    QTest::addColumn<double>("power");
    QTest::newRow("default: A100 SXM4") << QStringList{} << 2.79e7 << 312e12 << 400.0;
    QTest::newRow("A100 PCIe 40 GB") << QStringList{QStringLiteral("--preset"), QStringLiteral("a100-pcie-40gb")}
                                     << 1.74e7 << 312e12 << 250.0;
    QTest::newRow("A100 PCIe 80 GB by name") << QStringList{QStringLiteral("--preset"), QStringLiteral("A100 PCIe 80 GB")}
                                             << 2.09e7 << 312e12 << 300.0;
    QTest::newRow("explicit figures") << QStringList{QStringLiteral("--tflops"), QStringLiteral("312"),
                                                     QStringLiteral("--watts"), QStringLiteral("400")}
                                      << 2.79e7 << 312e12 << 400.0;
    QTest::newRow("MAC count") << QStringList{QStringLiteral("--count"), QStringLiteral("mac")} << 5.58e7 << 156e12
                               << 400.0;
    QTest::newRow("sparse headline") << QStringList{QStringLiteral("--tflops"), QStringLiteral("624"),
                                                    QStringLiteral("--watts"), QStringLiteral("400"),
                                                    QStringLiteral("--sparse")}
                                     << 2.79e7 << 312e12 << 400.0;
    QTest::newRow("utilisation, bits, temperature")
        << QStringList{QStringLiteral("--utilization"), QStringLiteral("0.5"), QStringLiteral("--bits-per-op"),
                       QStringLiteral("32"), QStringLiteral("--temperature=600")}
        << 2.79e7 / 2.0 << 156e12 << 400.0; // x2 (utilisation) x1/2 (bits) x1/2 (temperature)
    QTest::newRow("preset power overridden") << QStringList{QStringLiteral("--preset"), QStringLiteral("a100-sxm4"),
                                                            QStringLiteral("--watts"), QStringLiteral("250")}
                                             << 1.74e7 << 312e12 << 250.0;
}

void TestCliEnergy::json()
{
    QFETCH(QStringList, arguments);
    QFETCH(double, ratio);
    QFETCH(double, opsPerSecond);
    QFETCH(double, power);
    const CliRun run = runBinary(arguments + QStringList{QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject j = doc.object();
    QVERIFY2(relClose(j[QStringLiteral("ratio")].toDouble(), ratio, 3e-3),
             QByteArray::number(j[QStringLiteral("ratio")].toDouble()));
    QVERIFY(relClose(j[QStringLiteral("ops_per_second")].toDouble(), opsPerSecond, 1e-12));
    QVERIFY(relClose(j[QStringLiteral("power_w")].toDouble(), power, 1e-12));
}

void TestCliEnergy::jsonHasEveryField()
{
    const CliRun run = runBinary({QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject j = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(j[QStringLiteral("temperature_k")].toDouble(), 300.0);
    QCOMPARE(j[QStringLiteral("bits_per_op")].toDouble(), 16.0);
    QCOMPARE(j[QStringLiteral("ops_per_second")].toDouble(), 312e12);
    QCOMPARE(j[QStringLiteral("power_w")].toDouble(), 400.0);
    QVERIFY(relClose(j[QStringLiteral("landauer_j_per_bit")].toDouble(), 2.870979e-21, 1e-6));
    QVERIFY(relClose(j[QStringLiteral("landauer_ev_per_bit")].toDouble(), 0.0179192, 1e-5));
    QVERIFY(relClose(j[QStringLiteral("landauer_power_w")].toDouble(), 1.433e-5, 5e-4));
    QVERIFY(relClose(j[QStringLiteral("bit_erasures_per_op")].toDouble(), 4.47e8, 2e-3));
    QVERIFY(relClose(j[QStringLiteral("flop_per_joule")].toDouble(), 7.8e11, 1e-9));
    QVERIFY(relClose(j[QStringLiteral("joules_per_flop")].toDouble(), 400.0 / 312e12, 1e-9));
    QCOMPARE(j[QStringLiteral("count")].toString(), QStringLiteral("flop"));
    QCOMPARE(j[QStringLiteral("preset")].toString(), QStringLiteral("a100-sxm4"));
    const QJsonArray derivation = j[QStringLiteral("derivation")].toArray();
    QVERIFY(derivation.size() >= 8);
    for (const auto& step : derivation) {
        QVERIFY(!step.toObject()[QStringLiteral("label")].toString().isEmpty());
        QVERIFY(step.toObject()[QStringLiteral("value")].isDouble());
    }
    QCOMPARE(j[QStringLiteral("caveats")].toArray().size(), 4);
    QVERIFY(j[QStringLiteral("references")].toArray().size() >= 4);
}

void TestCliEnergy::humanSummary()
{
    const CliRun run = runBinary({});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("A100 SXM4"));
    QVERIFY(run.out.contains("ratio"));
    QVERIFY(run.out.contains("2.79e+07"));
    QVERIFY(run.out.contains("(16 bits/FLOP"));
    QVERIFY(run.err.isEmpty());
    // One bit is singular ("1 bits" read as a typo).
    const CliRun one = runBinary({QStringLiteral("--bits-per-op"), QStringLiteral("1")});
    QCOMPARE(one.exitCode, 0);
    QVERIFY2(one.out.contains("(1 bit/FLOP") && !one.out.contains("1 bits"), one.out.constData());
}

void TestCliEnergy::listPresets()
{
    const CliRun run = runBinary({QStringLiteral("--list-presets"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QJsonParseError error;
    const QJsonArray presets = QJsonDocument::fromJson(run.out, &error).object()[QStringLiteral("presets")].toArray();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(presets.size() >= 16);
    bool sawA100 = false;
    for (const auto& value : presets) {
        const QJsonObject p = value.toObject();
        QVERIFY(!p[QStringLiteral("name")].toString().isEmpty());
        QVERIFY(p[QStringLiteral("watts")].toDouble() > 0.0);
        QVERIFY(p.contains(QStringLiteral("estimated")));
        if (p[QStringLiteral("id")].toString() == QLatin1String("a100-sxm4")) {
            sawA100 = true;
            QCOMPARE(p[QStringLiteral("dense16_tflops")].toDouble(), 312.0);
            QCOMPARE(p[QStringLiteral("fp32_tflops")].toDouble(), 19.5);
        }
    }
    QVERIFY(sawA100);
    const CliRun text = runBinary({QStringLiteral("--list-presets")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains("h100-sxm5"));
}

void TestCliEnergy::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("negative temperature") << QStringList{QStringLiteral("--temperature"), QStringLiteral("-5")}
                                          << "temperature";
    QTest::newRow("zero throughput") << QStringList{QStringLiteral("--tflops"), QStringLiteral("0"),
                                                    QStringLiteral("--watts"), QStringLiteral("300")}
                                     << "throughput";
    QTest::newRow("unknown preset") << QStringList{QStringLiteral("--preset"), QStringLiteral("no-such-chip")}
                                    << "unknown preset";
    QTest::newRow("zero watts") << QStringList{QStringLiteral("--watts"), QStringLiteral("0")} << "power";
    QTest::newRow("utilisation above 1") << QStringList{QStringLiteral("--utilization"), QStringLiteral("1.5")}
                                         << "utilisation";
    QTest::newRow("bad count") << QStringList{QStringLiteral("--count"), QStringLiteral("ops")} << "count";
    QTest::newRow("not a number") << QStringList{QStringLiteral("--temperature"), QStringLiteral("hot")}
                                  << "temperature";
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << "unknown option";
    QTest::newRow("tflops without watts") << QStringList{QStringLiteral("--tflops"), QStringLiteral("100")}
                                          << "--watts";
}

void TestCliEnergy::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const CliRun run = runBinary(arguments + QStringList{QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.out.isEmpty());
    const QString err = QString::fromUtf8(run.err).trimmed();
    QVERIFY2(err.contains(message), qPrintable(err));
    QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err));
}

QTEST_GUILESS_MAIN(TestCliEnergy)
#include "tst_cli_energy.moc"
